import { ZxcvbnFactory } from "@zxcvbn-ts/core";
import { adjacencyGraphs, dictionary } from "@zxcvbn-ts/language-common";

/**
 * How guessable a new password is, by zxcvbn (common passwords, keyboard walks, repeats, sequences, dates,
 * and the person's own email and name). Server-only: its dictionaries weigh about a megabyte, too much for
 * the browser bundle, so the browser checks the length and the server this (a refused password comes back
 * as a field error, with or without JavaScript).
 */

// zxcvbn's score 3 of 0–4: "safely unguessable", at least 10^8 guesses against a slow hash such as argon2.
const MIN_SCORE = 3;
// zxcvbn's matching time grows with the length; what follows the first 100 characters cannot make a
// guessable start weak (and a long password of one repeated character is still caught by its start).
const CHECKED_LENGTH = 100;

export const WEAK_PASSWORD_MESSAGE =
  "That password is too easy to guess (a common password, a repeat or a keyboard pattern). A few unrelated words make a strong one.";

let zxcvbn: ZxcvbnFactory | undefined;

/** True when the password is too easy to guess; `personal` are the email, name… it must not lean on. */
export function isWeakPassword(password: string, personal: readonly (string | null | undefined)[] = []): boolean {
  zxcvbn ??= new ZxcvbnFactory({ dictionary, graphs: adjacencyGraphs });
  // The email's local part too: "grace.hopper@…" makes "gracehopper…" guessable.
  const inputs = personal.flatMap((value) => (value ? [value, ...value.split("@", 1)] : []));
  return zxcvbn.check(password.slice(0, CHECKED_LENGTH), inputs).score < MIN_SCORE;
}
