import { data, type AppLoadContext, type HeadersFunction } from "@remix-run/node";

/** Shown at the form when what was sent held a NUL (shown back as U+FFFD, as a browser shows it). */
export const NUL_IN_FORM_MESSAGE =
  "What you sent contains a NUL character (shown as �), which cannot be stored, so nothing was saved. Remove it and save again.";

/**
 * A page form post (page-forms.server.ts) refused before it reached its action: it held a NUL (the body
 * guard put U+FFFD in its place), or the write limit refused it (rate-limit.server.ts, WRITE_REFUSED_LOCAL).
 * The page answers with its form as sent and the reason — 400, or 429 with the wait in words — as a bare
 * error page lost what was typed. The action calls this before it changes anything:
 *
 *     const refused = refusedFormReply(context, (options) => submission.reply(options));
 *     if (refused) return refused;
 */
export function refusedFormReply<R>(
  context: Pick<AppLoadContext, "formHadNul" | "writeRetryAfterSeconds">,
  reply: (options: { formErrors: string[] }) => R,
) {
  const refusal = formRefusal(context);
  if (!refusal) return undefined;
  return data(reply({ formErrors: [refusal.message] }), { status: refusal.status, headers: refusal.headers });
}

/**
 * Why a page form post was refused before its action (refusedFormReply's words, status and headers), or
 * undefined: for an action that must look something up before it answers (a conversation gone meanwhile).
 */
export function formRefusal(
  context: Pick<AppLoadContext, "formHadNul" | "writeRetryAfterSeconds">,
): { message: string; status: 400 | 429; headers?: Record<string, string> } | undefined {
  if (context.formHadNul) return { message: NUL_IN_FORM_MESSAGE, status: 400 };
  const retryAfterSeconds = context.writeRetryAfterSeconds;
  if (retryAfterSeconds === undefined) return undefined;
  return {
    message: `You have sent a lot of requests in a short time. Try again in ${retryAfterSeconds} s.`,
    status: 429,
    headers: { "Retry-After": String(retryAfterSeconds) },
  };
}

/** The page's `headers`: a refused post's Retry-After on the document response too, not just in the data. */
export const retryAfterHeaders: HeadersFunction = ({ actionHeaders, errorHeaders }) => {
  // A refusal thrown (an edit of a missing event) carries it in errorHeaders.
  const retryAfter = actionHeaders.get("Retry-After") ?? errorHeaders?.get("Retry-After");
  return retryAfter ? { "Retry-After": retryAfter } : new Headers();
};

/**
 * The bare 429 of an action handed a write-limit refusal it could not answer on its page (the theme
 * switch, a calendar card's buttons: no text to keep, or past the rendered refusals): the rate limiter's
 * own words, status and Retry-After. Throw or return it.
 */
export function tooManyRequests(retryAfterSeconds: number) {
  return data(`You have sent a lot of requests in a short time. Please wait ${retryAfterSeconds} s and try again.`, {
    status: 429,
    statusText: "Too many requests",
    headers: { "Retry-After": String(retryAfterSeconds) },
  });
}
