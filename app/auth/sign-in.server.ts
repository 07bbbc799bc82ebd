import { parseWithZod } from "@conform-to/zod/v4";
import { recordAudit } from "~/audit/audit.server";
import { serializeSessionCookie } from "~/sessions/cookie.server";
import { createSession } from "~/sessions/sessions.server";
import { deviceCookieHeader } from "./device-cookie.server";
import { authenticateWithPassword, createAccount, EmailTakenError, type NewAccount } from "./accounts.server";
import { loginSchema } from "./schemas";

export type RequestOrigin = { ip: string | undefined; userAgent: string | undefined };
type SessionOwner = { id: string; email: string };

/**
 * Starts a session for a user who has proved who they are; returns the Set-Cookie header. `generation`:
 * the account's credentialGeneration read with the credentials checked; null (nothing written) when a
 * revocation changed it since (createSession).
 */
export function startSession(
  user: SessionOwner,
  method: "password" | "auth0",
  persistent: boolean,
  origin: RequestOrigin,
): Promise<string>;
export function startSession(
  user: SessionOwner,
  method: "password" | "auth0",
  persistent: boolean,
  origin: RequestOrigin,
  generation: number,
): Promise<string | null>;
export async function startSession(
  user: SessionOwner,
  method: "password" | "auth0",
  persistent: boolean,
  origin: RequestOrigin,
  generation?: number,
): Promise<string | null> {
  const sessionId = await createSession({ userId: user.id, persistent, method, ...origin }, generation);
  if (sessionId === null) return null;
  await recordAudit({ actor: user, ...origin }, { action: "login", outcome: "success", details: { method } });
  return serializeSessionCookie(sessionId, persistent);
}

/**
 * The email a posted sign-in form tries a password for, read exactly as the login action reads it
 * (conform's field names: `email`, `.email`, … all land here); undefined when no password is tried.
 */
export function passwordSignInEmail(form: FormData | URLSearchParams): string | undefined {
  const submission = parseWithZod(form, { schema: loginSchema });
  return submission.status === "success" ? submission.value.email : undefined;
}

/** `deviceCookie`: this browser is now a known device for the account (device-cookie.server.ts). */
export type PasswordSignIn = { ok: true; setCookie: string; deviceCookie: string } | { ok: false };

/**
 * Email + password sign-in. Every failure looks the same to the caller; the reason goes to the audit log.
 * A revocation between checking the password and writing the session (a password change, "sign out
 * everywhere else", disabling) makes the sign-in check again against the account as it is now: once — the
 * old password then fails as any wrong one; a second revocation meanwhile fails the attempt.
 */
export async function signInWithPassword(
  email: string,
  password: string,
  persistent: boolean,
  origin: RequestOrigin,
): Promise<PasswordSignIn> {
  let revokedMeanwhile: { id: string; email: string } | undefined;
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const result = await authenticateWithPassword(email, password);
    if (!result.ok) {
      await recordAudit(
        { actor: result.userId ? { id: result.userId, email } : null, ...origin },
        {
          action: "login",
          outcome: "failure",
          details: { method: "password", reason: result.reason, email: email.slice(0, 254) },
        },
      );
      return { ok: false };
    }
    const setCookie = await startSession(result.user, "password", persistent, origin, result.generation);
    if (setCookie !== null) return { ok: true, setCookie, deviceCookie: deviceCookieHeader(email, result.generation) };
    revokedMeanwhile = result.user;
  }
  await recordAudit(
    { actor: revokedMeanwhile ?? null, ...origin },
    {
      action: "login",
      outcome: "failure",
      details: { method: "password", reason: "signins_revoked", email: email.slice(0, 254) },
    },
  );
  return { ok: false };
}

export type SignUp = { created: boolean };

/**
 * Creates a local account (the first on the instance becomes admin). Nobody is signed in here, and the
 * caller answers the same whether the address was new or taken, so the form tells no one which
 * addresses have accounts; the password is hashed either way (createAccount hashes before it looks).
 */
export async function signUpWithPassword(
  account: NewAccount & { password: string },
  origin: RequestOrigin,
): Promise<SignUp> {
  try {
    await createAccount(account, (tx, user) =>
      recordAudit(
        { actor: user, ...origin },
        { action: "signup", outcome: "success", details: { role: user.role } },
        tx,
      ),
    );
  } catch (error) {
    if (!(error instanceof EmailTakenError)) throw error;
    await recordAudit(origin, {
      action: "signup",
      outcome: "failure",
      details: { reason: "email_taken", email: account.email.slice(0, 254) },
    });
    return { created: false };
  }
  return { created: true };
}
