import { data, type HeadersFunction } from "@remix-run/node";

/**
 * A form post the write rate limit refused and handed on to its page (rate-limit.server.ts,
 * WRITE_REFUSED_LOCAL): the page answers with its form as sent, the wait in words, status 429 — a bare
 * 429 page lost what was typed. The action calls this before it changes anything:
 *
 *     const refused = writeLimitReply(context.writeRetryAfterSeconds, (options) => submission.reply(options));
 *     if (refused) return refused;
 */
export function writeLimitReply<R>(
  retryAfterSeconds: number | undefined,
  reply: (options: { formErrors: string[] }) => R,
) {
  if (retryAfterSeconds === undefined) return undefined;
  return data(
    reply({ formErrors: [`You have sent a lot of requests in a short time. Try again in ${retryAfterSeconds} s.`] }),
    { status: 429, headers: { "Retry-After": String(retryAfterSeconds) } },
  );
}

/** The page's `headers`: a refused post's Retry-After on the document response too, not just in the data. */
export const retryAfterHeaders: HeadersFunction = ({ actionHeaders }) => {
  const retryAfter = actionHeaders.get("Retry-After");
  return retryAfter ? { "Retry-After": retryAfter } : new Headers();
};
