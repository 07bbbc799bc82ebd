import { PROVIDER_LABELS } from "~/llm/types";

export type ModelLists = { openrouter: string[]; ollama: string[] };

/** "ollama:llama3" → "Ollama · llama3" (a choice whose provider's list is unavailable right now). */
function labelOf(value: string): string {
  const [provider = "", ...model] = value.split(":");
  const label = provider in PROVIDER_LABELS ? PROVIDER_LABELS[provider as keyof typeof PROVIDER_LABELS] : provider;
  return `${label} · ${model.join(":")}`;
}

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
    { label: PROVIDER_LABELS.openrouter, provider: "openrouter", ids: models.openrouter },
    { label: PROVIDER_LABELS.ollama, provider: "ollama", ids: models.ollama },
  ];
  return (
    <>
      <option value="">Default ({defaultLabel})</option>
      {value && !known.includes(value) ? <option value={value}>{labelOf(value)}</option> : null}
      {groups.map((group) =>
        group.ids.length > 0 ? (
          <optgroup key={group.provider} label={group.label}>
            {group.ids.map((id) => (
              // The closed select shows only the option: it names the provider too.
              <option key={id} value={`${group.provider}:${id}`}>
                {group.label} · {id}
              </option>
            ))}
          </optgroup>
        ) : null,
      )}
    </>
  );
}
