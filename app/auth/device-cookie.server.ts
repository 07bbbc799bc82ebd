import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { config } from "~/config/env.server";
import { prisma } from "~/db/db.server";
import type { Prisma } from "~/generated/prisma/client";
import { logger } from "~/observability/logger.server";

/**
 * "Known device" cookies (OWASP, "Slow Down Online Guessing Attacks with Device Cookies"): after a
 * password sign-in succeeds, the browser gets a long-lived signed cookie naming that account. A later
 * sign-in for the same account that shows it is not held to the address's failure limit — someone else
 * guessing passwords behind the same NAT or proxy cannot lock this person out — but to a failure budget
 * of its own, keyed by the cookie's id (rate-limit.server.ts).
 *
 * One cookie per account a browser signed in to, so people sharing a computer keep theirs. The cookie's
 * name and its signature are HMACs with the session secret: neither tells the email, and a cookie made
 * for another account, or signed by anyone else, is no device cookie at all.
 *
 * They can be revoked: a password change and "sign out everywhere else" set the account's
 * `devicesValidFrom` (forgetKnownDevices), and a cookie issued before it is no device cookie either — a
 * copy taken while the old password or a session was known stops counting. Kept in the database, so
 * every process sees it.
 */
const COOKIE_PREFIX = "__ares_device_";
/** Long enough to recognise a person who signs in a few times a year; a sign-in renews it. */
export const DEVICE_COOKIE_DAYS = 365;
const MAX_AGE_MS = DEVICE_COOKIE_DAYS * 24 * 60 * 60 * 1000;

const hmac = (secret: string, value: string) => createHmac("sha256", secret).update(value).digest("base64url");
const normalised = (email: string) => email.trim().toLowerCase();

/** The cookie's name for this account under one secret (new cookies: the first, which signs). */
function cookieName(email: string, secret = config().sessionSecrets[0] ?? ""): string {
  return `${COOKIE_PREFIX}${hmac(secret, `device-name:${normalised(email)}`).slice(0, 16)}`;
}

const signed = (secret: string, id: string, issued: string, email: string) =>
  hmac(secret, `device:${id}.${issued}.${normalised(email)}`);

/**
 * Set-Cookie for a browser that has just signed in to this account with its password, or that made a
 * change which revoked the account's device cookies (`issuedAt`: that moment, so it is not revoked too;
 * `id`: the device's id, kept, so its own failure budget is not reset by asking for a fresh cookie).
 */
export function deviceCookieHeader(
  email: string,
  issuedAt = Date.now(),
  id = randomBytes(16).toString("base64url"),
): string {
  const issued = issuedAt.toString(36);
  const secret = config().sessionSecrets[0] ?? "";
  const value = `${id}.${issued}.${signed(secret, id, issued, email)}`;
  const secure = config().mode === "production" ? "; Secure" : "";
  return `${cookieName(email)}=${value}; Max-Age=${String(MAX_AGE_MS / 1000)}; Path=/; HttpOnly; SameSite=Lax${secure}`;
}

/** One cookie's value from a Cookie header (names and values here are base64url: nothing to decode). */
function cookieValue(cookieHeader: string, name: string): string | undefined {
  for (const pair of cookieHeader.split(";")) {
    const at = pair.indexOf("=");
    if (at > 0 && pair.slice(0, at).trim() === name) return pair.slice(at + 1).trim();
  }
  return undefined;
}

/** A device cookie for this email signed with one of our secrets and not expired: its id and issue time. */
function signedDevice(cookieHeader: string | undefined, email: string): { id: string; issuedAt: number } | undefined {
  if (!cookieHeader?.includes(COOKIE_PREFIX)) return undefined;
  // Looked for under every secret's name: a rotation (a new first secret) must not forget known devices.
  const value = config()
    .sessionSecrets.map((secret) => cookieValue(cookieHeader, cookieName(email, secret)))
    .find((found) => found !== undefined);
  const [id, issued, signature, ...rest] = (value ?? "").split(".");
  if (!id || !issued || !signature || rest.length > 0) return undefined;
  const issuedAt = parseInt(issued, 36);
  if (!Number.isFinite(issuedAt) || Date.now() - issuedAt > MAX_AGE_MS) return undefined;
  const given = Buffer.from(signature);
  const valid = config().sessionSecrets.some((secret) => {
    const expected = Buffer.from(signed(secret, id, issued, email));
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
  return valid ? { id, issuedAt } : undefined;
}

/**
 * The id of a valid device cookie for this email in a request's cookie header, else undefined (no
 * cookie, another account's, expired, not signed with one of our secrets, or issued before the account
 * revoked its devices). The database is asked only about a cookie whose signature holds.
 */
export async function knownDeviceId(cookieHeader: string | undefined, email: string): Promise<string | undefined> {
  const device = signedDevice(cookieHeader, email);
  if (!device) return undefined;
  try {
    const account = await prisma.user.findUnique({
      where: { email: normalised(email) },
      select: { devicesValidFrom: true },
    });
    if (!account) return undefined;
    return account.devicesValidFrom && device.issuedAt < account.devicesValidFrom.getTime() ? undefined : device.id;
  } catch (error) {
    // Unchecked, the cookie counts as none: the address's limits apply, as to anyone.
    logger.warn({ err: error }, "known-device check failed: the cookie is not honoured");
    return undefined;
  }
}

/**
 * Revokes every device cookie of the account issued before `at`; the browser that asked gets a fresh
 * one issued at `at` (deviceCookieHeader(email, at.getTime())).
 */
export async function forgetKnownDevices(
  userId: string,
  at: Date,
  db: Pick<Prisma.TransactionClient, "user"> = prisma,
): Promise<void> {
  await db.user.update({ where: { id: userId }, data: { devicesValidFrom: at }, select: { id: true } });
}
