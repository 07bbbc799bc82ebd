import { createHash } from "node:crypto";
import type { Request, RequestHandler, Response } from "express";
import { recordAudit } from "~/audit/audit.server";
import { ipKeyGenerator, rateLimit, type Options, type RateLimitInfo, type Store } from "express-rate-limit";
import { RedisStore, type RedisReply } from "rate-limit-redis";
import { sendProblem } from "~/http/problem.server";
import type { Config } from "~/config/env.server";
import { logger } from "~/observability/logger.server";
import { countRateLimitRejection, countRateLimitStoreError } from "~/observability/metrics.server";
import type { Redis } from "ioredis";
import { redis } from "~/redis/redis.server";
import { knownDeviceId } from "~/auth/device-cookie.server";
import { passwordSignInEmail } from "~/auth/sign-in.server";
import { guardedBody } from "./body-guard.server";
import { countOf } from "~/text/plural";
import {
  SIGN_IN_REFUSED_LOCAL,
  SIGN_IN_SUCCEEDED_LOCAL,
  SIGNED_OUT_KEEP_LOCAL,
  WRITE_REFUSED_LOCAL,
} from "./request-context.server";
import { sendRemixDataRefusal } from "./remix-data-refusal.server";
import { isApiPath, routePath } from "./route-path.server";
import { carriesComposerText, isPageFormPost } from "./page-forms.server";

type Tier = "auth" | "write" | "read";

// Health probes and scrapes must never be refused, whatever else a client does. Patterns are matched
// against routePath(): decoded, lower case, without `.data` or a trailing slash (route-path.server.ts).
const EXEMPT = /^\/(api\/v1\/health(\/.*)?|metrics)$/;
// Credentials: the tier an attacker guessing passwords runs into, counted per address. An admin's own
// work (/admin) is an ordinary write of a signed-in person: in this tier it used up the address's
// sign-in allowance, so an afternoon of admin saves locked everyone behind that address out.
const AUTH_ACTIONS = /^\/(login|signup|settings\/password|reset-password\/new|auth(\/.*)?)$/;
const READ_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

function tierOf(req: Request): Tier | undefined {
  const { path } = routePath(req);
  if (EXEMPT.test(path)) return undefined;
  if (READ_METHODS.has(req.method)) return "read";
  return AUTH_ACTIONS.test(path) ? "auth" : "write";
}

// ipKeyGenerator groups an IPv6 client's /56, which one person can otherwise rotate through.
const ipKey = (req: Request) => `ip:${ipKeyGenerator(req.ip ?? "unknown")}`;

/**
 * The signed-in user when the session middleware has resolved one, else the client address. The auth
 * tier is keyed by address: a session cookie (anyone's) must not buy a fresh budget of password guesses.
 * Only a sign-in from a known device of the very account it signs in to has a budget of its own (authKey).
 * A post after the session ended that keeps a chat message for its person (session-middleware.server.ts)
 * writes their row: it counts under that ended session (`ended:<session id>`), not as the person's own
 * write — a replayed revoked cookie must not use up the budget (and the rendered refusals) of the
 * person's live sessions.
 */
function clientKey(req: Request, res: Response): string {
  if (tierOf(req) === "auth") return ipKey(req);
  const locals = res.locals as {
    userId?: unknown;
    auth?: { user?: { id?: unknown } | null };
    [SIGNED_OUT_KEEP_LOCAL]?: { endedSession?: unknown };
  };
  const userId = locals.userId ?? locals.auth?.user?.id;
  if (typeof userId === "string" && userId) return `user:${userId}`;
  const endedSession = locals[SIGNED_OUT_KEEP_LOCAL]?.endedSession;
  if (typeof endedSession === "string" && endedSession) return `ended:${endedSession}`;
  return ipKey(req);
}

const isSignIn = (req: Request) => req.method === "POST" && routePath(req).path === "/login";

/**
 * The sign-in limits count failed attempts only: a password sign-in that started a session is taken off
 * again once answered, so someone signing in and out in a row keeps their allowance. The login action
 * says so itself (context.markSignInSucceeded): the status cannot — a wrong password sent with a session
 * cookie is answered with a redirect too, and sign-up, password change and the Auth0 start always count.
 */
const countOnlyFailedSignIns = {
  skipSuccessfulRequests: true,
  requestWasSuccessful: (_req: Request, res: Response) => res.locals[SIGN_IN_SUCCEEDED_LOCAL] === true,
} satisfies Partial<Options>;

/**
 * Every sign-in counts toward a ceiling this many times the auth limit per address, successful or not:
 * each one costs a password hash (~20 ms of CPU) and a session row, so correct passwords sent over and
 * over must not be free either.
 */
export const SIGN_IN_CEILING_FACTOR = 5;

/**
 * A refused sign-in or sign-up from its own form (document POST or Remix's `.data` fetch): that page
 * answers it, with the form as typed and the wait in words (a bare 429 page lost what was typed). Only
 * these exact spellings, which Remix routes to those actions, and REFUSALS_RENDERED of them per window;
 * every other spelling of the address, and a client that keeps on past those, gets the plain 429 page.
 */
const AUTH_FORM_ADDRESSES = new Set(["/login", "/login.data", "/signup", "/signup.data"]);
const isAuthFormPost = (req: Request) => req.method === "POST" && AUTH_FORM_ADDRESSES.has(req.path);

/**
 * Refused form posts a page answers per window and key, past the limit (sign-in and sign-up, and the
 * page forms of page-forms.server.ts): enough for someone retrying by hand. Each is a full page render
 * the read tier does not count, so beyond these a client hammering the form gets the bare 429. The store
 * counts refused requests too (shared in Redis), so this holds across processes.
 */
const REFUSALS_RENDERED = 20;

/**
 * The address a password sign-in is for, as the login action will read it from the body the guard has
 * read (same schema, so no spelling of the field escapes the limit); undefined for other requests.
 */
async function signInEmail(req: Request, res: Response): Promise<string | undefined> {
  const body = isSignIn(req) ? guardedBody(res) : undefined;
  if (!body || body.bytes.length === 0) return undefined;
  const form = body.contentType.startsWith("multipart/")
    ? await new globalThis.Request("http://body.invalid/", {
        method: "POST",
        body: new Uint8Array(body.bytes),
        headers: { "content-type": body.contentType },
      }).formData()
    : new URLSearchParams(body.bytes.toString("utf8"));
  return passwordSignInEmail(form)?.toLowerCase();
}

/**
 * A post of a button that submits a chat page's message box form to another action (the theme switch, a
 * calendar card) with text in the box: refused, it goes on to its action marked, which does nothing but
 * bring the page back with the text in its box and the wait (a bare 429 page, or with JS the error page
 * in place of the conversation, lost it).
 */
function carriesTypedText(req: Request, res: Response): boolean {
  if (!carriesComposerText(req)) return false;
  const body = guardedBody(res);
  if (body?.contentType !== "application/x-www-form-urlencoded") return false;
  return Boolean(new URLSearchParams(body.bytes.toString("utf8")).get("message")?.trim());
}

const KNOWN_DEVICE_LOCAL = "signInKnownDevice";

/**
 * The id of the device cookie a password sign-in presents for the very account it signs in to (OWASP's
 * device cookies, device-cookie.server.ts), else undefined: no cookie, a forged one or another
 * account's, or one the account revoked since, counts as none. Such a sign-in is not held to the address's limits — a shared address must
 * not let one person's guesses lock out another — but to a failure budget of its own.
 */
function knownDevice(req: Request, res: Response): Promise<string | undefined> {
  const locals = res.locals as Record<string, Promise<string | undefined> | undefined>;
  // The answer is kept as a promise: the limiters ask several times per request, and the check may ask
  // the database (a revoked cookie), which is done once.
  locals[KNOWN_DEVICE_LOCAL] ??= signInEmail(req, res).then((email) =>
    email === undefined ? undefined : knownDeviceId(req.get("cookie"), email),
  );
  return locals[KNOWN_DEVICE_LOCAL];
}

/** The auth tier's key: the address, or for a sign-in from a known device that device's own budget. */
async function authKey(req: Request, res: Response): Promise<string> {
  const device = await knownDevice(req, res);
  return device === undefined ? clientKey(req, res) : `device:${device}`;
}

/**
 * A refused sign-in attempt belongs in the audit trail next to the failures that led to it: once per
 * key and window (the first refusal), so refused requests cannot be turned into unbounded writes.
 */
async function auditBlockedSignIn(req: Request, res: Response, limit: "ip" | "email", info?: RateLimitInfo) {
  if (!isSignIn(req) || !info || info.used !== info.limit + 1) return;
  const refusedBy = limit === "ip" && (await knownDevice(req, res)) !== undefined ? "device" : limit;
  const email = await signInEmail(req, res);
  await recordAudit(
    { ip: req.ip, userAgent: req.get("user-agent") },
    {
      action: "login",
      outcome: "failure",
      details: { method: "password", reason: "rate_limited", limit: refusedBy, email: email ?? null },
    },
  ).catch((error: unknown) => logger.error({ err: error }, "auditing a blocked sign-in failed"));
}

const TOO_MANY_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Slow down — ARES</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;line-height:1.5}</style>
</head><body><h1>Too many requests</h1>
<p>You have sent a lot of requests in a short time. Please wait RETRY_AFTER and try again.</p>
<p><a href="/">Back to ARES</a></p></body></html>`;

function reject(tier: Tier, limit: "ip" | "email" = "ip"): Options["handler"] {
  return async (req, res, next, options: Options) => {
    countRateLimitRejection(tier);
    const info = (req as unknown as Record<string, RateLimitInfo | undefined>)[options.requestPropertyName];
    if (tier === "auth") await auditBlockedSignIn(req, res, limit, info);
    // A limiter without standard headers (the sign-in ceiling) sets no Retry-After: its reset time tells.
    if (!res.hasHeader("Retry-After") && info?.resetTime)
      res.setHeader("Retry-After", String(Math.max(1, Math.ceil((info.resetTime.getTime() - Date.now()) / 1000))));
    const retryAfter = res.getHeader("Retry-After") ?? "60";
    const wait = countOf(Number(retryAfter) || 60, "second", "seconds");
    logger.warn({ tier, limit, path: req.path, requestId: res.locals.requestId }, "rate limit exceeded");
    const pageAnswers = info !== undefined && info.used <= info.limit + REFUSALS_RENDERED;
    if (tier === "auth" && isAuthFormPost(req) && pageAnswers) {
      res.status(429);
      res.locals[SIGN_IN_REFUSED_LOCAL] = Number(retryAfter) || 60;
      next();
      return;
    }
    // A page form (the password change among them, in the auth tier): the page says the wait itself.
    if ((isPageFormPost(req) || carriesTypedText(req, res)) && pageAnswers) {
      // The page answers with its own Retry-After: two would read as "37, 37", which no client parses.
      res.removeHeader("Retry-After");
      res.status(429);
      res.locals[WRITE_REFUSED_LOCAL] = Number(retryAfter) || 60;
      next();
      return;
    }
    if (isApiPath(routePath(req).path)) {
      sendProblem(res, 429, "rate_limited", "Too many requests", `Retry after ${wait}.`);
      return;
    }
    if (routePath(req).data) {
      sendRemixDataRefusal(req, res, {
        status: 429,
        title: "Too many requests",
        message: `You have sent a lot of requests in a short time. Please wait ${wait} and try again.`,
      });
      return;
    }
    res.status(429).type("html").send(TOO_MANY_HTML.replace("RETRY_AFTER", wait));
  };
}

/**
 * A limit check may cost a request this much at most; past it the request passes (fail open). Generous
 * enough that a busy but healthy Redis is never skipped (a skipped check is a check an attacker gets
 * for free); a Redis that stopped answering trips the breaker after a few slow answers.
 */
const STORE_TIMEOUT_MS = 250;
/** Slow answers in a row that count as an outage. */
const TIMEOUTS_BEFORE_PAUSE = 3;
/** After a failure Redis is left alone this long, so an outage costs each request nothing. */
const STORE_PAUSE_MS = 2_000;

class StoreUnavailableError extends Error {}

function readyWithin(client: Redis, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      client.off("ready", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    client.once("ready", done);
  });
}
class StoreTimeoutError extends StoreUnavailableError {}
class StorePausedError extends StoreUnavailableError {}

/**
 * Counts every store failure; express-rate-limit then lets the request through. A circuit breaker
 * keeps an outage cheap: no command is sent while the connection is down or for a short pause after a
 * failure, and a command that takes longer than STORE_TIMEOUT_MS is not waited for.
 */
function observedStore(store: Store, client: Redis): Store {
  let pausedUntil = 0;
  let timeoutsInARow = 0;
  // Only the first connection is waited for: a Redis reconnecting after an outage is not, or every
  // request during the outage would wait out STORE_TIMEOUT_MS at each reconnect attempt.
  let connectedOnce = client.status === "ready";
  if (!connectedOnce) client.once("ready", () => (connectedOnce = true));
  const observe =
    <A extends unknown[], R>(operation: (...args: A) => R | Promise<R>) =>
    async (...args: A): Promise<R> => {
      let timer: NodeJS.Timeout | undefined;
      try {
        if (Date.now() < pausedUntil) throw new StorePausedError("redis unavailable");
        // A connection still being made (a process just started) is waited for, within the same limit.
        if (!connectedOnce && (client.status === "connecting" || client.status === "connect"))
          await readyWithin(client, STORE_TIMEOUT_MS);
        if (client.status !== "ready") throw new StoreUnavailableError("redis not connected");
        const timeout = new Promise<never>((_resolve, reject) => {
          // Timers run before I/O callbacks in each turn of the event loop: after a long turn (a busy
          // process) the timer would win even though Redis answered in time. setImmediate lets the
          // turn's I/O — the answer, if it came — settle the race first.
          timer = setTimeout(
            () => setImmediate(() => reject(new StoreTimeoutError("redis too slow"))),
            STORE_TIMEOUT_MS,
          );
        });
        const pending = Promise.resolve(operation(...args));
        // A command that answers after the timeout is still counted by Redis; its outcome is not needed.
        pending.catch(() => undefined);
        const result = await Promise.race([pending, timeout]);
        timeoutsInARow = 0;
        return result;
      } catch (error) {
        countRateLimitStoreError();
        if (error instanceof StoreTimeoutError && ++timeoutsInARow >= TIMEOUTS_BEFORE_PAUSE) {
          timeoutsInARow = 0;
          pausedUntil = Date.now() + STORE_PAUSE_MS;
        }
        // A slow answer lets only this request through (Redis still counts it); an unreachable Redis
        // is left alone for a while, and said once.
        if (!(error instanceof StoreTimeoutError || error instanceof StorePausedError)) {
          if (Date.now() >= pausedUntil) logger.error({ err: error }, "rate limits not checked: Redis unavailable");
          pausedUntil = Date.now() + STORE_PAUSE_MS;
        }
        throw error;
      } finally {
        clearTimeout(timer);
      }
    };
  return {
    prefix: store.prefix,
    localKeys: store.localKeys,
    init: store.init?.bind(store),
    get: store.get ? observe(store.get.bind(store)) : undefined,
    increment: observe(store.increment.bind(store)),
    decrement: observe(store.decrement.bind(store)),
    resetKey: observe(store.resetKey.bind(store)),
  };
}

function redisStore(prefix: string): Store | undefined {
  const client = redis();
  if (!client) return undefined;
  const store = new RedisStore({
    prefix,
    sendCommand: (command: string, ...args: string[]) => client.call(command, ...args) as Promise<RedisReply>,
  });
  // The store loads its Lua scripts at once; while Redis is down that fails and is retried per request.
  store.incrementScriptSha.catch(() => undefined);
  store.getScriptSha.catch(() => undefined);
  return observedStore(store, client);
}

/** Where a limiter's own problems go: the structured log (its default is the console). */
function limiterLogger(tier: string): Options["logger"] {
  return {
    // An outage is logged once by the Redis client and counted per request; a line per request would flood.
    error: (error, message) =>
      error instanceof StoreUnavailableError
        ? logger.debug({ tier, reason: error.message }, "rate limit not checked")
        : logger.error({ err: error, tier }, message ?? "rate limiter error"),
    warn: (error, message) => logger.warn({ err: error, tier }, message ?? "rate limiter warning"),
  };
}

/**
 * Three tiers: `auth` (sign-in, sign-up, password change and the Auth0 routes; strictest; a password
 * sign-in that succeeds is counted only toward a ceiling of SIGN_IN_CEILING_FACTOR times the limit; a
 * sign-in from a known device of its account is counted by that device instead of the address and email),
 * `write` (other non-GET requests) and `read`. Headers follow the IETF
 * RateLimit draft 8 plus Retry-After on a 429.
 * With REDIS_URL the counters are shared by every ARES process; if Redis fails, requests pass.
 */
export function rateLimitMiddleware(config: Config): RequestHandler {
  const { readPerMinute, writePerMinute, authPer15Minutes, redisPrefix } = config.rateLimits;
  const tiers: Record<Tier, { limit: number; windowMs: number }> = {
    auth: { limit: authPer15Minutes, windowMs: 15 * 60_000 },
    write: { limit: writePerMinute, windowMs: 60_000 },
    read: { limit: readPerMinute, windowMs: 60_000 },
  };
  const limiters = new Map<Tier, RequestHandler>();
  for (const [tier, { limit, windowMs }] of Object.entries(tiers) as Array<[Tier, (typeof tiers)[Tier]]>) {
    if (limit === 0) continue;
    limiters.set(
      tier,
      rateLimit({
        windowMs,
        limit,
        identifier: tier,
        standardHeaders: "draft-8",
        legacyHeaders: false,
        keyGenerator: tier === "auth" ? authKey : clientKey,
        store: redisStore(`${redisPrefix}${tier}:`),
        passOnStoreError: true,
        ...(tier === "auth" ? countOnlyFailedSignIns : {}),
        logger: limiterLogger(tier),
        handler: reject(tier),
      }),
    );
  }
  // All sign-ins from one address, successful ones included (see SIGN_IN_CEILING_FACTOR).
  const signInCeiling =
    authPer15Minutes === 0
      ? undefined
      : rateLimit({
          windowMs: 15 * 60_000,
          limit: authPer15Minutes * SIGN_IN_CEILING_FACTOR,
          identifier: "auth-ceiling",
          standardHeaders: false,
          legacyHeaders: false,
          // A known device counts its own sign-ins, not the address's: others behind the address cannot
          // use them up, and its correct passwords sent over and over are not free either.
          keyGenerator: authKey,
          skip: (req) => !isSignIn(req),
          store: redisStore(`${redisPrefix}auth-ceiling:`),
          passOnStoreError: true,
          logger: limiterLogger("auth-ceiling"),
          handler: reject("auth"),
        });
  // Password guesses against one account, from however many addresses: the same budget per email.
  const perEmail =
    authPer15Minutes === 0
      ? undefined
      : rateLimit({
          windowMs: 15 * 60_000,
          // The lockout of an account is for untrusted clients. Known devices of the account share a
          // budget of their own, wider, so that others' guesses cannot lock them out — and capped, so
          // that cookies collected while a password was known (each has a budget) do not multiply the
          // guesses against it after it changed.
          limit: async (req, res) =>
            (await knownDevice(req, res)) === undefined ? authPer15Minutes : authPer15Minutes * SIGN_IN_CEILING_FACTOR,
          identifier: "auth-email",
          standardHeaders: false,
          legacyHeaders: false,
          // Emails are not kept in the store, only a digest of each.
          keyGenerator: async (req, res) =>
            `${(await knownDevice(req, res)) === undefined ? "email" : "email-known"}:${createHash("sha256")
              .update((await signInEmail(req, res)) ?? "")
              .digest("base64url")}`,
          skip: async (req, res) => (await signInEmail(req, res)) === undefined,
          store: redisStore(`${redisPrefix}auth-email:`),
          passOnStoreError: true,
          logger: limiterLogger("auth-email"),
          ...countOnlyFailedSignIns,
          handler: reject("auth", "email"),
        });
  return (req, res, next) => {
    const tier = tierOf(req);
    const limiter = tier && limiters.get(tier);
    // A sign-in the address limit refused goes straight to the login page: it is not counted again.
    const thenPerEmail = () =>
      tier === "auth" && perEmail && res.locals[SIGN_IN_REFUSED_LOCAL] === undefined
        ? perEmail(req, res, next)
        : next();
    // A sign-in the ceiling refused goes straight to the login page too: not counted as a failure on top.
    const thenTier = () =>
      res.locals[SIGN_IN_REFUSED_LOCAL] !== undefined
        ? next()
        : limiter
          ? limiter(req, res, thenPerEmail)
          : thenPerEmail();
    if (tier === "auth" && signInCeiling) return signInCeiling(req, res, thenTier);
    return thenTier();
  };
}
