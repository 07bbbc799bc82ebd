import { useSubmit } from "@remix-run/react";
import { withComposerText } from "./composer";
import { useHydrated } from "~/components/use-hydrated";
import { ModelOptions, type ModelLists } from "./model-options";

type ModelPickerProps = {
  models: ModelLists;
  /** "provider:model", or "" for the default. */
  value: string;
  defaultLabel: string;
  /** The page's message box form: without JS the choice and its button submit it, so what is typed is kept. */
  composerFormId: string;
};

/** Per-conversation model choice: applies on change with JS; without JS the select has a button. */
export function ModelPicker({ models, value, defaultLabel, composerFormId }: ModelPickerProps) {
  const submit = useSubmit();
  const hydrated = useHydrated();
  return (
    <div className="model-picker">
      <label htmlFor="model-choice">Model</label>
      <select
        id="model-choice"
        name="model"
        form={composerFormId}
        defaultValue={value}
        // Only the choice: the message box's form it belongs to would send the message too.
        onChange={(event) =>
          submit({ intent: "model", model: event.currentTarget.value }, { method: "post", preventScrollReset: true })
        }
      >
        <ModelOptions models={models} value={value} defaultLabel={defaultLabel} />
      </select>
      {hydrated ? null : (
        <button
          type="submit"
          className="secondary small"
          name="intent"
          value="model"
          {...withComposerText(composerFormId)}
        >
          Use model
        </button>
      )}
    </div>
  );
}
