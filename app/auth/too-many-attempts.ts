/**
 * What the sign-in and sign-up forms say when the auth rate limit refused them. Whole minutes, rounded
 * up: "1 min" rather than "0 min" for the last seconds of a window.
 */
export const tooManyAttempts = (seconds: number) =>
  `Too many attempts — try again in ${Math.max(1, Math.ceil(seconds / 60))} min.`;
