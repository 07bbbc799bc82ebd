import { EventEmitter, once } from "node:events";
import path from "node:path";
import { remember } from "@epic-web/remember";
import pino, { type Logger } from "pino";
import { config } from "~/config/env.server";

/** Keys whose values never reach a log line, wherever they sit in a logged object. */
export const REDACTED_PATHS = [
  "req.headers.cookie",
  "req.headers.authorization",
  'req.headers["x-api-key"]',
  'req.headers["proxy-authorization"]',
  // Telegram's proof that an update is from Telegram: with it anyone could post as a linked person.
  'req.headers["x-telegram-bot-api-secret-token"]',
  'res.headers["set-cookie"]',
  "*.password",
  "*.token",
  "*.apiKey",
  "*.secret",
  "*.accessToken",
  "*.refreshToken",
  "password",
  "token",
  // An OAuth error from Auth0's callback (arctic's OAuth2RequestError) carries the flow's state.
  "err.state",
];

/** Paths that carry a credential: a calendar feed's address is its key. */
const SECRET_PATH = /\/calendar\/feed\/[^/?#]+\.ics/g;
/**
 * An admin's password reset link is its token: whoever reads it in a log line (its own request, or the
 * Referer of the page's own post and assets) could set the account's password.
 */
// The form's own page (/reset-password/new, and its `.data`) carries none: it stays readable. Any case:
// Remix routes /Reset-Password/<token> to the same page.
const RESET_LINK_PATH = /\/reset-password\/(?!new(?:\.data)?(?![^/?#\s"]))[^/?#\s"]+/gi;

/**
 * Auth0's redirect back (app/routes/auth.auth0.callback.tsx) carries the sign-in's one-time `code`
 * (exchanged for tokens together with the client secret) and its `state` (the key to the flow cookie
 * of that browser): its query without their values, in the address and in the parsed `query` the access log keeps.
 */
const AUTH0_CALLBACK_PATH = "/auth/auth0/callback?";
const AUTH0_CALLBACK_QUERY = /(\/auth\/auth0\/callback\?)([^#\s"]*)/g;
const AUTH0_CALLBACK_SECRET = /(^|&)(code|state)=[^&]*/g;

/**
 * An email address in a query (`/login?reason=account_ready&email=…`, where sign-up sends a new account)
 * and what someone searched for (`/chat?q=…`, `/memory?q=…`, `/calendar?q=…`: words of their own
 * conversations) are personal data the access log has no use for: their values are left out, on any address.
 */
const PERSONAL_QUERY_KEYS = ["email", "q"];
const PERSONAL_QUERY = /([?&])(email|q)=[^&#\s"]*/gi;

function withoutSecrets(value: unknown): unknown {
  if (typeof value !== "string") return value;
  return value
    .replace(SECRET_PATH, "/calendar/feed/[redacted].ics")
    .replace(RESET_LINK_PATH, "/reset-password/[redacted]")
    .replace(PERSONAL_QUERY, "$1$2=[redacted]")
    .replace(
      AUTH0_CALLBACK_QUERY,
      (_match, path: string, query: string) => path + query.replace(AUTH0_CALLBACK_SECRET, "$1$2=[redacted]"),
    );
}

/** Log lines name the request (`url`, `path`, `req.url`) without the credentials some paths and queries carry. */
export function redactSecretPaths(line: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...line };
  for (const key of ["url", "path"]) if (key in out) out[key] = withoutSecrets(out[key]);
  const req = out.req;
  if (req && typeof req === "object" && "url" in req)
    out.req = { ...req, url: withoutSecrets((req as { url: unknown }).url) };
  return out;
}

/**
 * pino-http's request serializer, run after the standard one. The access log's `req` is bound to a child
 * logger, serialized once when the child is made: `formatters.log` (redactSecretPaths) never sees it,
 * and it named a calendar feed by its full address, token included (and Auth0's callback by its code and state).
 */
export function requestWithoutSecrets<T extends { url?: unknown; query?: unknown; headers?: unknown }>(req: T): T {
  const callback = typeof req.url === "string" && req.url.startsWith(AUTH0_CALLBACK_PATH);
  req.url = withoutSecrets(req.url);
  // The page a request came from is an address too (same-origin requests carry it whole): from the
  // sign-in page sign-up leads to, it names the email. A copy: these are the request's own headers.
  const headers = req.headers as Record<string, unknown> | undefined;
  if (headers && typeof headers.referer === "string" && withoutSecrets(headers.referer) !== headers.referer)
    req.headers = { ...headers, referer: withoutSecrets(headers.referer) };
  // The standard serializer copies Express's parsed query too: a new object, the request's own is not ours to change.
  const hidden = callback ? ["code", "state", ...PERSONAL_QUERY_KEYS] : PERSONAL_QUERY_KEYS;
  if (req.query && typeof req.query === "object" && hidden.some((key) => key in (req.query as object))) {
    const query: Record<string, unknown> = { ...req.query };
    for (const key of hidden) if (key in query) query[key] = "[redacted]";
    req.query = query;
  }
  return req;
}

/**
 * pino-http's response serializer, after the standard one: a redirect's `Location` is an address like
 * any other (sign-up's answer names the email it was given). The headers are a copy (getHeaders()).
 */
export function responseWithoutSecrets<T extends { headers?: unknown }>(res: T): T {
  const headers = res.headers as Record<string, unknown> | undefined;
  if (headers && typeof headers.location === "string") headers.location = withoutSecrets(headers.location);
  return res;
}

type Target = { target: string; level: string; options: Record<string, unknown> };

/** stdout (JSON, or pretty for people) and, with LOG_FILE, a file rotated daily keeping 7 of them. */
function targets(): Target[] {
  const { logLevel, logPretty, logFile } = config();
  const list: Target[] = [
    logPretty
      ? {
          target: "pino-pretty",
          level: logLevel,
          options: { colorize: true, translateTime: "SYS:HH:MM:ss.l", ignore: "pid,hostname,service,mode" },
        }
      : { target: "pino/file", level: logLevel, options: { destination: 1 } },
  ];
  if (logFile) {
    const extension = path.extname(logFile);
    list.push({
      target: "pino-roll",
      level: logLevel,
      options: {
        // ares.log → ares.2026-11-28.1.log, ares.2026-11-29.2.log, … and a current.log symlink.
        file: extension ? logFile.slice(0, -extension.length) : logFile,
        extension: extension || ".log",
        frequency: "daily",
        dateFormat: "yyyy-MM-dd",
        mkdir: true,
        symlink: true,
        limit: { count: 6, removeOtherLogFiles: true },
      },
    });
  }
  return list;
}

function createLogger(): Logger {
  const { logLevel, logPretty, logFile, mode } = config();
  const options = {
    level: logLevel,
    base: { service: "ares", mode },
    redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
    formatters: { log: redactSecretPaths },
  };
  // Plain JSON to stdout is written from the main thread (asynchronously: see logStopped); transports
  // run in a worker.
  if (!logPretty && !logFile) return pino(options);
  return pino(options, pino.transport({ targets: targets() }));
}

/** The process-wide structured logger (one across dev hot reloads); child loggers add a request id or a domain name. */
export const logger: Logger = remember("ares-logger", createLogger);

/**
 * The process's last line, "stopped", once every line before it is out. pino writes stdout
 * asynchronously (sonic-boom): at exit it writes what is still buffered synchronously, while a line
 * whose write is already queued in libuv's thread pool (slow on a loaded machine) lands after it — a
 * shutdown test saw "job worker stopped" after "stopped". So the exit waits for the stream's "drain"
 * (everything written; `logger.flush(cb)` answers at once without a minLength), at most `limitMs`.
 * Transports (pretty, LOG_FILE) write from a worker thread, which this does not wait for.
 */
export async function logStopped(limitMs = 2_000): Promise<void> {
  const { logPretty, logFile } = config();
  const stream: unknown = (logger as unknown as Record<symbol, unknown>)[pino.symbols.streamSym];
  const waits = !logPretty && !logFile && logger.isLevelEnabled("info") && stream instanceof EventEmitter;
  // An error on stdout (nobody reading) is not a reason to keep the process up.
  const drained = waits ? once(stream, "drain").catch(() => undefined) : Promise.resolve();
  logger.info("stopped");
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([drained, new Promise<void>((resolve) => (timer = setTimeout(resolve, limitMs)))]);
  clearTimeout(timer);
}
