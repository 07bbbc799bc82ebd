export type ModelLists = { openrouter: string[]; ollama: string[] };

/**
 * The <option>s of a model choice: the default, the current choice even when its provider's list is
 * unavailable right now, then each provider's models. Values are "provider:model", "" for the default.
 */
export function ModelOptions({
  models,
  value,
  defaultLabel,
}: {
  models: ModelLists;
  value: string;
  defaultLabel: string;
}) {
  const known = [...models.openrouter.map((id) => `openrouter:${id}`), ...models.ollama.map((id) => `ollama:${id}`)];
  const groups = [
    { label: "OpenRouter", provider: "openrouter", ids: models.openrouter },
    { label: "Ollama", provider: "ollama", ids: models.ollama },
  ];
  return (
    <>
      <option value="">Default ({defaultLabel})</option>
      {value && !known.includes(value) ? <option value={value}>{value.replace(":", " · ")}</option> : null}
      {groups.map((group) =>
        group.ids.length > 0 ? (
          <optgroup key={group.provider} label={group.label}>
            {group.ids.map((id) => (
              <option key={id} value={`${group.provider}:${id}`}>
                {id}
              </option>
            ))}
          </optgroup>
        ) : null,
      )}
    </>
  );
}
