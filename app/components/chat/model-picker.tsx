import { Form, useSubmit } from "@remix-run/react";
import { useHydrated } from "~/components/use-hydrated";
import { ModelOptions, type ModelLists } from "./model-options";

type ModelPickerProps = {
  models: ModelLists;
  /** "provider:model", or "" for the default. */
  value: string;
  defaultLabel: string;
};

/** Per-conversation model choice: applies on change with JS; without JS the select has a button. */
export function ModelPicker({ models, value, defaultLabel }: ModelPickerProps) {
  const submit = useSubmit();
  const hydrated = useHydrated();
  return (
    <Form method="post" className="model-picker">
      <input type="hidden" name="intent" value="model" />
      <label htmlFor="model-choice">Model</label>
      <select
        id="model-choice"
        name="model"
        defaultValue={value}
        onChange={(event) => submit(event.currentTarget.form, { preventScrollReset: true })}
      >
        <ModelOptions models={models} value={value} defaultLabel={defaultLabel} />
      </select>
      {hydrated ? null : (
        <button type="submit" className="secondary small">
          Use model
        </button>
      )}
    </Form>
  );
}
