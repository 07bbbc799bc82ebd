/**
 * What a chat form the write rate limit refused says (rate-limit.server.ts hands it to the page): the
 * wait in seconds, as a refused send over the message quota does, with the form as it was sent.
 */
export const writeLimitRefusal = (retryAfterSeconds: number) => ({
  retryAfterSeconds,
  message: `You have sent a lot of requests in a short time. Try again in ${retryAfterSeconds} s.`,
});
