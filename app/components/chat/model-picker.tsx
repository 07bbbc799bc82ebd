import { Form } from "@remix-run/react";
import { ModelOptions, type ModelLists } from "./model-options";

type ModelPickerProps = {
  models: ModelLists;
  /** "provider:model", or "" for the default. */
  value: string;
  defaultLabel: string;
};

/** Per-conversation model choice; works without JS (select + button). */
export function ModelPicker({ models, value, defaultLabel }: ModelPickerProps) {
  return (
    <Form method="post" className="model-picker">
      <input type="hidden" name="intent" value="model" />
      <label htmlFor="model-choice">Model</label>
      <select id="model-choice" name="model" defaultValue={value}>
        <ModelOptions models={models} value={value} defaultLabel={defaultLabel} />
      </select>
      <button type="submit" className="secondary small">
        Use model
      </button>
    </Form>
  );
}
