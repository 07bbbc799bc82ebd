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
        // The choice, not a send of the message box's form it belongs to; the box's text rides along as
        // for every other button of the page, so a conversation deleted meanwhile shows it back (its 404).
        onChange={(event) => {
          const box = event.currentTarget.form?.elements.namedItem("message");
          const message = box instanceof HTMLTextAreaElement ? box.value : "";
          submit(
            { intent: "model", model: event.currentTarget.value, message },
            { method: "post", preventScrollReset: true },
          );
        }}
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
