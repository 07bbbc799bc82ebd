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
// zxcvbn runs synchronously and its matching time grows with the password's length and each personal
// word's (a 100-character patterned password with long words took 230–400 ms, the whole server waiting).
// What follows the first 64 characters cannot make a guessable start weak (a long repeat is caught by its
// start), and a longer personal word adds nothing a password could lean on that its start does not.
const CHECKED_LENGTH = 64;

export const WEAK_PASSWORD_MESSAGE =
  "That password is too easy to guess (a common password, a repeat or a keyboard pattern). A few unrelated words make a strong one.";

// Built on first use (the dictionaries' matchers take a noticeable part of a second): only sign-up, a
// password change and user:create need it, so a process that serves none of them — most of them — never
// pays for it; the first of them in a process does, once.
let zxcvbn: ZxcvbnFactory | undefined;
const matcher = () => (zxcvbn ??= new ZxcvbnFactory({ dictionary, graphs: adjacencyGraphs }));

/**
 * The words a password must not lean on: each value (email, name…), and for an email its local part and
 * the parts of its domain ("grace.hopper@navy.mil" makes "gracehopper…" and "navy…" guessable), each cut
 * to CHECKED_LENGTH.
 */
function personalWords(personal: readonly (string | null | undefined)[]): string[] {
  const words = new Set<string>();
  for (const value of personal) {
    if (!value) continue;
    words.add(value.slice(0, CHECKED_LENGTH));
    const at = value.lastIndexOf("@");
    if (at < 0) continue;
    words.add(value.slice(0, at).slice(0, CHECKED_LENGTH));
    for (const part of value.slice(at + 1).split(".")) words.add(part.slice(0, CHECKED_LENGTH));
  }
  words.delete("");
  return [...words];
}

/** True when the password is too easy to guess; `personal` are the email, name… it must not lean on. */
export function isWeakPassword(password: string, personal: readonly (string | null | undefined)[] = []): boolean {
  return matcher().check(password.slice(0, CHECKED_LENGTH), personalWords(personal)).score < MIN_SCORE;
}
