import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { config } from "~/config/env.server";
import { prisma } from "~/db/db.server";
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
 * They can be revoked: every revocation of the account's sign-ins (a password change or reset, "sign out
 * everywhere else", disabling) increments its `credentialGeneration` (revocation.server.ts), and a cookie
 * is signed with the generation its sign-in read together with the password it checked: one of another
 * generation is no device cookie. So a copy taken while the old password or a session was known stops
 * counting, and so does a cookie issued by a sign-in that checked the old password just before a change
 * and answered just after it (an issue time compared with the change's moment, as before, let that one
 * through). Kept in the database, so every process sees it.
 *
 * Cookies of the first format (`id.issued.signature`, no generation) are honoured as before — against
 * `devicesValidFrom` — but only while the account's generation is still 0: a deploy does not cost every
 * known device its standing (the moment someone could lock people out from behind their NAT), and the
 * first revocation after it ends them all, since they were all issued before it.
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

/** The first format's signature: no generation (see the module's comment). */
const signedV1 = (secret: string, id: string, issued: string, email: string) =>
  hmac(secret, `device:${id}.${issued}.${normalised(email)}`);
/** Another prefix than the first format's: neither signature can stand for the other. */
const signed = (secret: string, id: string, issued: string, generation: string, email: string) =>
  hmac(secret, `device2:${id}.${issued}.${generation}.${normalised(email)}`);

/**
 * Set-Cookie for a browser that has just signed in to this account with its password (`generation`: the
 * account's credentialGeneration read with the password that was checked), or that made a change which
 * revoked the account's device cookies (the generation that change set, so it is not revoked too; `id`: the
 * device's id, kept, so its own failure budget is not reset by asking for a fresh cookie).
 */
export function deviceCookieHeader(
  email: string,
  generation: number,
  { id = randomBytes(16).toString("base64url"), issuedAt = Date.now() }: { id?: string; issuedAt?: number } = {},
): string {
  const issued = issuedAt.toString(36);
  const gen = generation.toString(36);
  const secret = config().sessionSecrets[0] ?? "";
  const value = `${id}.${issued}.${gen}.${signed(secret, id, issued, gen, email)}`;
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

type SignedDevice = { id: string; issuedAt: number } & ({ generation: number } | { generation: "first format" });

/** A device cookie for this email signed with one of our secrets and not expired: its id, issue time and generation. */
function signedDevice(cookieHeader: string | undefined, email: string): SignedDevice | undefined {
  if (!cookieHeader?.includes(COOKIE_PREFIX)) return undefined;
  // Looked for under every secret's name: a rotation (a new first secret) must not forget known devices.
  const value = config()
    .sessionSecrets.map((secret) => cookieValue(cookieHeader, cookieName(email, secret)))
    .find((found) => found !== undefined);
  const parts = (value ?? "").split(".");
  if (parts.length !== 3 && parts.length !== 4) return undefined;
  const [id, issued, ...rest] = parts as [string, string, ...string[]];
  const signature = rest.at(-1)!;
  const gen = parts.length === 4 ? rest[0]! : undefined;
  if (!id || !issued || !signature || gen === "") return undefined;
  const issuedAt = parseInt(issued, 36);
  if (!Number.isFinite(issuedAt) || Date.now() - issuedAt > MAX_AGE_MS) return undefined;
  const generation = gen === undefined ? "first format" : parseInt(gen, 36);
  if (generation !== "first format" && !Number.isSafeInteger(generation)) return undefined;
  const given = Buffer.from(signature);
  const valid = config().sessionSecrets.some((secret) => {
    const expected = Buffer.from(
      gen === undefined ? signedV1(secret, id, issued, email) : signed(secret, id, issued, gen, email),
    );
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
  return valid ? { id, issuedAt, generation } : undefined;
}

/**
 * The id of a valid device cookie for this email in a request's cookie header, else undefined (no
 * cookie, another account's, expired, not signed with one of our secrets, or of a generation the account
 * has revoked). The database is asked only about a cookie whose signature holds.
 */
export async function knownDeviceId(cookieHeader: string | undefined, email: string): Promise<string | undefined> {
  const device = signedDevice(cookieHeader, email);
  if (!device) return undefined;
  try {
    const account = await prisma.user.findUnique({
      where: { email: normalised(email) },
      select: { credentialGeneration: true, devicesValidFrom: true },
    });
    if (!account) return undefined;
    if (device.generation !== "first format") {
      return device.generation === account.credentialGeneration ? device.id : undefined;
    }
    const revokedBefore = account.devicesValidFrom && device.issuedAt < account.devicesValidFrom.getTime();
    return account.credentialGeneration === 0 && !revokedBefore ? device.id : undefined;
  } catch (error) {
    // Unchecked, the cookie counts as none: the address's limits apply, as to anyone.
    logger.warn({ err: error }, "known-device check failed: the cookie is not honoured");
    return undefined;
  }
}
