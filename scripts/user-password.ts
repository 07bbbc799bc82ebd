/**
 * `npm run -s user:password -- someone@example.com [--password-stdin]` (`-s`: without it npm prints its own
 * banner on stdout, ahead of the generated password, so a pipe of stdout gets more than the password)
 * Resets a password from the shell (ARES sends no email: someone who forgot theirs asks the operator).
 * With --password-stdin the new password is read from standard input (never from the command line: shell
 * history and `ps` would keep it); without, one is generated and printed once. Either way every session
 * and known-device cookie of the account ends, and the audit log records the reset.
 */
import os from "node:os";
import { parseArgs } from "node:util";

// The log goes to stdout, where a generated password is printed: only warnings and errors, unless asked
// for (the reset's audit record is in the database either way). Set before the logger is first loaded.
if (!process.env.LOG_LEVEL) process.env.LOG_LEVEL = "warn";
const { generatePassword, resetPasswordAsOperator } = await import("~/admin/password-reset.server");
const { closeDb } = await import("~/db/db.server");
const { withDatabaseUrl } = await import("./database-url");

const USAGE =
  "usage: npm run -s user:password -- you@example.com [--password-stdin]   (the password on stdin, e.g. from a file or a pipe)";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { "password-stdin": { type: "boolean", default: false } },
});
const [email, ...extra] = positionals;
if (!email || extra.length > 0) {
  // A second word is most likely a password typed on the command line: refused, not ignored.
  console.error(extra.length > 0 ? "Give only the email: pass the password on stdin with --password-stdin." : USAGE);
  if (extra.length > 0) console.error(USAGE);
  process.exit(2);
}

async function readStdin(): Promise<string> {
  // A terminal would echo the password as it is typed (and leave it on screen): pipe it from a file or a
  // password manager instead.
  if (process.stdin.isTTY) {
    console.error(
      "--password-stdin reads a pipe, not the terminal (which would show the password): e.g. `pass show x | npm run -s user:password -- you@example.com --password-stdin`, or leave --password-stdin out for a generated one.",
    );
    process.exit(2);
  }
  let text = "";
  for await (const chunk of process.stdin) text += String(chunk);
  return text.replace(/\r?\n$/, "");
}

const generated = !values["password-stdin"];
const password = generated ? generatePassword() : await readStdin();
const operator = `${os.userInfo().username}@${os.hostname()}`;

const code = await withDatabaseUrl(
  async () => {
    try {
      const result = await resetPasswordAsOperator(email, password, operator);
      if (!result.ok) {
        console.error(result.reason === "invalid_password" ? `password: ${result.message}` : result.message);
        return result.reason === "invalid_password" ? 2 : 1;
      }
      console.error(
        `Reset the password of ${result.email}; ${result.sessionsEnded} session(s) signed out, known devices forgotten.`,
      );
      // Only the password on stdout, once: `… | clipman`, or read off the terminal and handed over.
      if (generated) console.log(password);
      return 0;
    } finally {
      await closeDb();
    }
  },
  { migrate: true },
);
process.exit(code);
