import dns from "node:dns";
import type { LookupFunction } from "node:net";
import ipaddr from "ipaddr.js";
import { Agent, errors, request } from "undici";
import { config } from "~/config/env.server";
import { MAX_IMPORT_BYTES } from "./ical.server";

// The one way ARES fetches a subscribed calendar. The URL is typed by a person, so it is treated as
// hostile: http(s) only, a time limit over the whole fetch, the import's size limit, a few redirects
// (each one checked again), and no private, loopback or link-local address unless the operator allows
// it — checked on the address actually connected to, so a DNS name cannot point back inside later.

const MAX_REDIRECTS = 5;

/** Why a feed could not be fetched, in words for the subscription's page. */
export class SubscriptionFetchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SubscriptionFetchError";
  }
}

class PrivateAddressError extends Error {
  /** `hostname`: the name that resolved to `address`, said instead of it (the server's own DNS is not shown). */
  constructor(address: string, hostname?: string) {
    super(
      hostname
        ? `${hostname} leads to a private or local address, which calendar subscriptions may not reach.`
        : `${address} is a private or local address, which calendar subscriptions may not reach.`,
    );
    this.name = "PrivateAddressError";
  }
}

class LookupTimeoutError extends Error {
  readonly code = "ETIMEOUT";
}

/** lookupPublic as a promise, given up after `ms`: a name server that never answers must not hold the form. */
function lookupPublicWithin(hostname: string, ms: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new LookupTimeoutError("lookup timed out")), ms);
    lookupPublic(hostname, {}, (error) => {
      clearTimeout(timer);
      if (error) reject(error);
      else resolve();
    });
  });
}

/** A subscription URL as stored: webcal:// is iCalendar's name for https://. Throws for anything else. */
export function normalizeFeedUrl(input: string): string {
  let url: URL;
  try {
    url = new URL(input.trim().replace(/^webcals?:\/\//i, "https://"));
  } catch (error) {
    if (error instanceof TypeError) throw new SubscriptionFetchError("This is not a web address (URL).");
    throw error;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new SubscriptionFetchError("Only http://, https:// and webcal:// addresses can be subscribed to.");
  }
  url.hash = "";
  return url.toString();
}

const MASK = "•••";

/** A UUID anywhere in a piece of an address (Outlook's published calendars carry them). */
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/**
 * A piece of an address (a path segment, a query part, a user name or password) as it reads: percent-decoded
 * where it can be — URL keeps a bare `%` ("50%off"), which decodeURIComponent throws on; that stays as typed.
 */
function decoded(piece: string): string {
  try {
    return decodeURIComponent(piece);
  } catch (error) {
    if (error instanceof URIError) return piece;
    throw error;
  }
}

/**
 * Whether a piece of an address reads as a secret rather than a name: a UUID; a run of letters and digits
 * that is long (24+: a base64 or hex token) or mixes both over 12+ (iCloud's and Google's private links);
 * or a base64url run ("-" and "_" inside) of 16+ that mixes upper case, lower case and digits. "basic.ics",
 * "holidays-2027.ics" or "calendar" stay readable; a long readable name with digits may be hidden, which
 * errs on the safe side (the stored address is unchanged).
 */
function looksRandom(piece: string): boolean {
  const text = decoded(piece);
  if (UUID.test(text)) return true;
  const alphanumeric = (text.match(/[A-Za-z0-9]+/g) ?? []).some(
    (run) => run.length >= 24 || (run.length >= 12 && /\d/.test(run) && /[A-Za-z]/.test(run)),
  );
  return (
    alphanumeric ||
    (text.match(/[A-Za-z0-9_-]+/g) ?? []).some(
      (run) => run.length >= 16 && /\d/.test(run) && /[a-z]/.test(run) && /[A-Z]/.test(run),
    )
  );
}

/** A query part or path parameter without a value is shown only when it is a plain word ("?download"). */
const plainWord = (piece: string) => /^[A-Za-z]{1,16}$/.test(decoded(piece));

/** `name=value` with the value hidden (and the name too if it looks like a token); a bare part unless a plain word. */
function maskedParameter(part: string): string {
  const at = part.indexOf("=");
  if (at < 0) return plainWord(part) ? part : MASK;
  const name = part.slice(0, at);
  return `${looksRandom(name) ? MASK : name}=${at < part.length - 1 ? MASK : ""}`;
}

/**
 * A subscription URL as pages show it. Private feeds carry their secret in the address: a user name and
 * password (https://user:pass@host/…), a token in the query (?token=…), in a path parameter
 * (feed.ics;jsessionid=…) or a long random path segment (iCloud's /published/2/<token>, Google's
 * /private-<hex>/basic.ics). Those become "•••"; the scheme, host and readable path stay, so the person
 * still recognises the feed. The stored URL keeps everything: fetchFeed needs it.
 */
export function feedUrlForDisplay(stored: string): string {
  let url: URL;
  try {
    url = new URL(stored);
  } catch {
    return "(not a valid address)";
  }
  const userinfo = url.username || url.password ? `${MASK}@` : "";
  const path = url.pathname
    .split("/")
    .map((segment) => {
      const [name = "", ...parameters] = segment.split(";");
      return [looksRandom(name) ? MASK : name, ...parameters.map(maskedParameter)].join(";");
    })
    .join("/");
  // Every query value, whatever its name: tokens ride as "?k=", "?s=", "?key=" as well as "?token=".
  const query = url.search
    .slice(1)
    .split("&")
    .filter((part) => part !== "")
    .map(maskedParameter)
    .join("&");
  return `${url.protocol}//${userinfo}${url.host}${path}${query ? `?${query}` : ""}`;
}

/** HTTP Basic credentials from a URL's user:password, which undici does not send by itself. */
function basicAuthorization(url: URL): string | undefined {
  if (!url.username && !url.password) return undefined;
  const credentials = `${decoded(url.username)}:${decoded(url.password)}`;
  return `Basic ${Buffer.from(credentials).toString("base64")}`;
}

/**
 * A subscription URL as the form takes it: normalized, and refused at once when the refresh would refuse
 * it whatever it serves — a literal private or local address (checkHost), or a name that resolves to one
 * (lookupPublic, the lookup the refresh's connections make) — or when the name resolves to nothing.
 * The refresh still checks the address it connects to: a name can point elsewhere later.
 */
export async function acceptedFeedUrl(input: string): Promise<string> {
  const normalized = normalizeFeedUrl(input);
  if (config().calendarSubscriptions.allowPrivateAddresses) return normalized;
  const url = new URL(normalized);
  const host = url.hostname.replace(/^\[|\]$/g, "");
  try {
    checkHost(url, false);
    if (!ipaddr.isValid(host)) await lookupPublicWithin(host, config().calendarSubscriptions.timeoutMs);
  } catch (error) {
    if (error instanceof PrivateAddressError) throw new SubscriptionFetchError(error.message);
    const code = error instanceof Error && "code" in error ? String(error.code) : null;
    // Answers that will not change on a second try: no such name, or not a name at all (EINVAL: too long).
    if (code === "ENOTFOUND" || code === "ENODATA" || code === "EAI_FAIL") {
      throw new SubscriptionFetchError(`No server named ${host} could be found: check the address.`);
    }
    if (code === "EINVAL") throw new SubscriptionFetchError(`${host} is not a valid server name: check the address.`);
    if (code) {
      throw new SubscriptionFetchError(`The name ${host} could not be looked up just now (${code}): try again later.`);
    }
    throw error;
  }
  return normalized;
}

function isPublic(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  const parsed = ipaddr.process(address);
  // IPv4-compatible IPv6 (::/96, deprecated): [::7f00:1] is 127.0.0.1 to some stacks, yet "unicast" here.
  if (
    parsed.kind() === "ipv6" &&
    parsed
      .toByteArray()
      .slice(0, 12)
      .every((byte) => byte === 0)
  )
    return false;
  return parsed.range() === "unicast";
}

/**
 * Every address a host name resolves to (a connection may use any of them), refused with
 * PrivateAddressError when one is private or local: the one check of a name, for the refresh's
 * connections (guardedLookup) and for the subscription form (acceptedFeedUrl).
 */
function lookupPublic(
  hostname: string,
  options: dns.LookupOptions,
  done: (error: NodeJS.ErrnoException | null, addresses: dns.LookupAddress[]) => void,
): void {
  dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) {
      done(error, []);
      return;
    }
    const refused = addresses.find((entry) => !isPublic(entry.address));
    if (refused) {
      done(new PrivateAddressError(refused.address, hostname), []);
      return;
    }
    done(null, addresses);
  });
}

const guardedLookup: LookupFunction = (hostname, options, callback) => {
  lookupPublic(hostname, options, (error, addresses) => {
    if (error) {
      callback(error, "", 4);
      return;
    }
    if (options.all) callback(null, addresses);
    else callback(null, addresses[0]!.address, addresses[0]!.family);
  });
};

let guardedAgent: Agent | undefined;
let openAgent: Agent | undefined;

function agent(allowPrivate: boolean): Agent {
  if (allowPrivate) return (openAgent ??= new Agent());
  return (guardedAgent ??= new Agent({ connect: { lookup: guardedLookup } }));
}

/** Literal IP hosts never reach the DNS lookup, so they are checked here. */
function checkHost(url: URL, allowPrivate: boolean) {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (!allowPrivate && ipaddr.isValid(host) && !isPublic(host)) throw new PrivateAddressError(host);
}

function describe(error: unknown): string | null {
  if (error instanceof PrivateAddressError || error instanceof SubscriptionFetchError) return error.message;
  if (error instanceof errors.UndiciError) return `The calendar's server could not be reached (${error.message}).`;
  if (error instanceof DOMException && (error.name === "TimeoutError" || error.name === "AbortError")) {
    return "The calendar's server took too long to answer.";
  }
  // Connection failures (DNS, refused, reset, TLS) come from node:net and node:tls as system errors.
  if (error instanceof Error && "code" in error && typeof error.code === "string") {
    const cause = error.cause instanceof PrivateAddressError ? error.cause.message : null;
    return cause ?? `The calendar's server could not be reached (${error.code}).`;
  }
  return null;
}

/** Fetches a calendar's text; throws SubscriptionFetchError saying why it could not. */
export async function fetchFeed(feedUrl: string): Promise<string> {
  const { timeoutMs, allowPrivateAddresses } = config().calendarSubscriptions;
  const signal = AbortSignal.timeout(timeoutMs);
  let url = new URL(normalizeFeedUrl(feedUrl));
  const first = url;
  try {
    for (let redirects = 0; ; redirects += 1) {
      checkHost(url, allowPrivateAddresses);
      // The feed's credentials go to its own origin only, not to wherever it redirects (as curl does).
      const authorization =
        basicAuthorization(url) ?? (url.origin === first.origin ? basicAuthorization(first) : undefined);
      const target = new URL(url);
      target.username = "";
      target.password = "";
      const response = await request(target, {
        method: "GET",
        dispatcher: agent(allowPrivateAddresses),
        signal,
        headers: {
          accept: "text/calendar, */*;q=0.5",
          "user-agent": "ARES calendar subscription",
          ...(authorization ? { authorization } : {}),
        },
      });
      const location = response.headers.location;
      if (response.statusCode >= 300 && response.statusCode < 400 && typeof location === "string") {
        await response.body.dump();
        if (redirects >= MAX_REDIRECTS) throw new SubscriptionFetchError("The address redirects too many times.");
        url = new URL(normalizeFeedUrl(new URL(location, url).toString()));
        continue;
      }
      if (response.statusCode !== 200) {
        await response.body.dump();
        throw new SubscriptionFetchError(`The calendar's server answered ${response.statusCode}.`);
      }
      const declared = Number(response.headers["content-length"] ?? 0);
      if (declared > MAX_IMPORT_BYTES) {
        await response.body.dump();
        throw new SubscriptionFetchError("The calendar is too large (over 2 MB).");
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of response.body) {
        size += (chunk as Buffer).length;
        if (size > MAX_IMPORT_BYTES) {
          response.body.destroy();
          throw new SubscriptionFetchError("The calendar is too large (over 2 MB).");
        }
        chunks.push(chunk as Buffer);
      }
      return Buffer.concat(chunks).toString("utf8");
    }
  } catch (error) {
    const message = describe(error);
    if (message === null) throw error;
    throw new SubscriptionFetchError(message);
  }
}
