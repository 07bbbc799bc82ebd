import { parseModelChoice } from "~/chat/schemas";
import { prisma } from "~/db/db.server";
import { defaultModel, listModels, primaryProvider } from "~/llm/router.server";
import type { ProviderName } from "~/llm/types";

export type ChatPreferences = {
  provider: ProviderName | null;
  model: string | null;
  systemPrompt: string | null;
  temperature: number | null;
  topP: number | null;
  maxTokens: number | null;
};

const NO_PREFERENCES: ChatPreferences = {
  provider: null,
  model: null,
  systemPrompt: null,
  temperature: null,
  topP: null,
  maxTokens: null,
};

export function asProvider(value: string | null): ProviderName | null {
  return value === "openrouter" || value === "ollama" ? value : null;
}

export type StoredPreferences = {
  [Key in keyof ChatPreferences]: Key extends "provider" ? string | null : ChatPreferences[Key];
};

/** A ChatSettings row (or none) as preferences; an unknown provider name counts as no preference. */
export function toChatPreferences(row: StoredPreferences | null): ChatPreferences {
  if (!row) return NO_PREFERENCES;
  return {
    provider: asProvider(row.provider),
    model: row.model,
    systemPrompt: row.systemPrompt,
    temperature: row.temperature,
    topP: row.topP,
    maxTokens: row.maxTokens,
  };
}

export async function getChatPreferences(userId: string): Promise<ChatPreferences> {
  return toChatPreferences(await prisma.chatSettings.findUnique({ where: { userId } }));
}

export async function saveChatPreferences(userId: string, preferences: Partial<ChatPreferences>): Promise<void> {
  await prisma.chatSettings.upsert({ where: { userId }, create: { userId, ...preferences }, update: preferences });
}

/** The refusal for a model the model lists do not name (an unconfigured provider, a model not installed). */
export const MODEL_NOT_OFFERED = "That model is not offered here. Choose one from the list.";

/**
 * True for a model one of the configured providers lists now (what the model pickers offer), or for the
 * choice already stored: the pickers keep showing it while its provider's list cannot be had (Ollama
 * stopped, a fetch failed), and sending it back unchanged — saving the rest of a form — must not be refused.
 */
export async function isOfferedModel(
  choice: { provider: ProviderName; model: string },
  stored: { provider: string | null; model: string | null },
): Promise<boolean> {
  if (stored.provider === choice.provider && stored.model === choice.model) return true;
  return (await listModels(choice.provider)).some((entry) => entry.id === choice.model);
}

/**
 * What a model picker sent, checked: `choice` null is "Default" (""); anything else must be a model the
 * pickers offer (see isOfferedModel). A value that is not "provider:model" at all is refused too — it was
 * saved as Default without a word.
 */
export async function checkModelChoice(
  value: string,
  stored: { provider: string | null; model: string | null },
): Promise<{ offered: true; choice: { provider: ProviderName; model: string } | null } | { offered: false }> {
  if (value === "") return { offered: true, choice: null };
  const choice = parseModelChoice(value);
  if (!choice || !(await isOfferedModel(choice, stored))) return { offered: false };
  return { offered: true, choice };
}

/**
 * Who writes a conversation's replies: its own provider and model when the person picked one for it,
 * else their saved defaults, else the server's. The conversation page labels "Default" with this too.
 */
export function modelForReply(
  conversation: { provider: string | null; model: string | null },
  preferences: ChatPreferences,
): { provider: ProviderName; model: string } {
  const provider = asProvider(conversation.provider) ?? preferences.provider ?? primaryProvider();
  const model =
    conversation.model ?? (provider === preferences.provider ? preferences.model : null) ?? defaultModel(provider);
  return { provider, model };
}
