/**
 * The memory tests' shared fixtures (memory-forms, memory-keys): a suggestion as the model files it, and
 * thresholds under which every suggestion waits for review.
 */

/** A suggestion's scores in these tests: queued for review (under NEVER_AUTO_ACCEPT), not dropped. */
export const SUGGESTED = { confidence: 0.9, importance: 5 } as const;

/** A personal fact suggested with `key` and `value`: a proposal row's fields (with a userId), or a model's candidate. */
export const suggestedFact = (key: string, value: string) => ({
  type: "fact" as const,
  kind: "personal" as const,
  key,
  value,
  ...SUGGESTED,
});

/** Thresholds no suggestion reaches: nothing is accepted without the person. */
export const NEVER_AUTO_ACCEPT = { autoAcceptMinConfidence: 1, autoAcceptMinImportance: 10 };
