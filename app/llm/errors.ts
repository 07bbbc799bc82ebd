import { PROVIDER_LABELS, type AttemptFailure, type ProviderName } from "./types";

/**
 * Every provider failed before delivering a token, so nothing of the reply exists. The message is
 * user-facing and says what to configure; `retryAfterSeconds` comes from a 429's Retry-After.
 */
export class LlmUnavailableError extends Error {
  readonly attempts: AttemptFailure[];
  readonly retryAfterSeconds: number | null;
  /**
   * What someone who does not run this ARES reads: what to do, without the providers' addresses and the
   * settings to change (the full `message` is for admins and the log).
   */
  readonly publicMessage: string;

  constructor(attempts: AttemptFailure[]) {
    const details = attempts.map((attempt) => `${PROVIDER_LABELS[attempt.provider]}: ${attempt.message}.`);
    // A request every provider refused is the request's fault, not an outage.
    const refused = attempts.length > 0 && attempts.every((attempt) => attempt.reason === "client_error");
    super([refused ? "The model provider refused the request." : "No model provider answered.", ...details].join(" "));
    this.name = "LlmUnavailableError";
    this.publicMessage = refused
      ? "The model provider refused the request. Try again, or tell whoever runs this ARES if it keeps happening."
      : "No model provider answered. Try again in a moment; if it keeps happening, tell whoever runs this ARES.";
    this.attempts = attempts;
    const waits = attempts.flatMap((attempt) =>
      attempt.reason === "rate_limited" && attempt.retryAfterSeconds !== undefined ? [attempt.retryAfterSeconds] : [],
    );
    // The soonest any provider may answer again.
    this.retryAfterSeconds = waits.length > 0 ? Math.min(...waits) : null;
  }
}

/**
 * The provider failed after tokens were delivered. There is no fallback (the reply would restart
 * elsewhere mid-sentence): the caller keeps the partial text and marks it as cut short.
 */
export class LlmStreamInterruptedError extends Error {
  readonly provider: ProviderName;
  readonly model: string;
  readonly failure: AttemptFailure;

  constructor(failure: AttemptFailure) {
    super(`${PROVIDER_LABELS[failure.provider]} stopped mid-reply: ${failure.message}.`);
    this.name = "LlmStreamInterruptedError";
    this.provider = failure.provider;
    this.model = failure.model;
    this.failure = failure;
  }
}
