/**
 * `npm run user:create -- --email someone@example.com [--name "Some One"] [--admin] [--password-stdin]`
 * Creates an account from the shell (e.g. the first admin of a server with LOCAL_LOGIN=false).
 * Without --password-stdin the account has no password: it signs in through Auth0, or sets one later.
 */
import { parseArgs } from "node:util";
import { z } from "zod";
import { createAccount, EmailTakenError } from "~/auth/accounts.server";
import { isWeakPassword, WEAK_PASSWORD_MESSAGE } from "~/auth/password-strength.server";
import { emailField, newPasswordField } from "~/auth/schemas";
import { closeDb } from "~/db/db.server";
import { withDatabaseUrl } from "./database-url";

const { values } = parseArgs({
  options: {
    email: { type: "string" },
    name: { type: "string" },
    admin: { type: "boolean", default: false },
    "password-stdin": { type: "boolean", default: false },
  },
});

async function readStdin(): Promise<string> {
  let text = "";
  for await (const chunk of process.stdin) text += String(chunk);
  return text.replace(/\r?\n$/, "");
}

const input = z
  .object({ email: emailField, password: newPasswordField.optional() })
  .safeParse({ email: values.email, password: values["password-stdin"] ? await readStdin() : undefined });
if (!input.success) {
  console.error(input.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("\n"));
  console.error('usage: npm run user:create -- --email you@example.com [--name "…"] [--admin] [--password-stdin]');
  process.exit(2);
}
if (input.data.password !== undefined && isWeakPassword(input.data.password, [input.data.email, values.name])) {
  console.error(`password: ${WEAK_PASSWORD_MESSAGE}`);
  process.exit(2);
}

const code = await withDatabaseUrl(
  async () => {
    try {
      const user = await createAccount({
        email: input.data.email,
        name: values.name,
        password: input.data.password,
        role: values.admin ? "admin" : undefined,
      });
      console.log(`Created ${user.email} (${user.role}).`);
      return 0;
    } catch (error) {
      if (!(error instanceof EmailTakenError)) throw error;
      console.error(error.message);
      return 1;
    } finally {
      await closeDb();
    }
  },
  { migrate: true },
);
process.exit(code);
