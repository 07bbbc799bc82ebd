import { Form } from "@remix-run/react";

type ModelPickerProps = {
  models: { openrouter: string[]; ollama: string[] };
  /** "provider:model", or "" for the default. */
  value: string;
  defaultLabel: string;
};

/** Per-conversation model choice; works without JS (select + button). */
export function ModelPicker({ models, value, defaultLabel }: ModelPickerProps) {
  const known = [...models.openrouter.map((id) => `openrouter:${id}`), ...models.ollama.map((id) => `ollama:${id}`)];
  return (
    <Form method="post" className="model-picker">
      <input type="hidden" name="intent" value="model" />
      <label htmlFor="model-choice">Model</label>
      <select id="model-choice" name="model" defaultValue={value}>
        <option value="">Default ({defaultLabel})</option>
        {value && !known.includes(value) ? <option value={value}>{value.replace(":", " · ")}</option> : null}
        {models.openrouter.length > 0 ? (
          <optgroup label="OpenRouter">
            {models.openrouter.map((id) => (
              <option key={id} value={`openrouter:${id}`}>
                {id}
              </option>
            ))}
          </optgroup>
        ) : null}
        {models.ollama.length > 0 ? (
          <optgroup label="Ollama">
            {models.ollama.map((id) => (
              <option key={id} value={`ollama:${id}`}>
                {id}
              </option>
            ))}
          </optgroup>
        ) : null}
      </select>
      <button type="submit" className="secondary small">
        Use model
      </button>
    </Form>
  );
}
