import type { NextFunction, RequestHandler, Request, Response } from "express";
import { sendClientError } from "./client-error.server";
import { decodeForm, nonUtf8Charset } from "./form-charset.server";
import type { RequestAuth } from "~/sessions/types";
import { HEAD_LIMIT_BYTES, fieldsBeforeFile, fieldsBeforeFileIn } from "./multipart-head.server";
import { isApiPath, routePath } from "./route-path.server";
import { logger } from "~/observability/logger.server";
import {
  BAD_TEXT_LOCAL,
  BODY_TOO_LARGE_LOCAL,
  answersTooLargeItself,
  isPageFormPost,
  carriesComposerText,
  COMPOSER_TYPED_FIELDS,
} from "./page-forms.server";

/** Every ARES page and API endpoint is read with GET/HEAD; those with an action are changed with POST. */
const READ_METHODS = ["GET", "HEAD"];
const ALL_METHODS = ["GET", "HEAD", "POST"];

function answerUnsupportedMethod(req: Request, res: Response, allowed: string[]): void {
  const allow = allowed.join(", ");
  if (req.method === "OPTIONS") {
    res.setHeader("Allow", allow);
    res.status(204).end();
    return;
  }
  sendClientError(req, res, {
    status: 405,
    code: "method_not_allowed",
    title: "Method not allowed",
    message: `This address answers ${allow} only.`,
    headers: { Allow: allow },
  });
}

/**
 * PUT, PATCH, DELETE, TRACE and anything else, and POST to a page or endpoint without an action: 405
 * with the `Allow` of that address, before any other work (Remix's own 405 for a POST shows its
 * developer text, "did not provide an `action`"). OPTIONS is answered with the same list. An address
 * no route claims (`methodsOf` gives undefined) is left to `answerUnknownAddressMethods`, once the
 * session is known: it is a 404 for every method, as for GET.
 */
export function refuseUnsupportedMethods(
  methodsOf: (req: Request, res: Response) => string[] | undefined,
): RequestHandler {
  return (req, res, next) => {
    if (READ_METHODS.includes(req.method)) return next();
    const allowed = methodsOf(req, res);
    if (allowed === undefined) {
      // A POST to an unknown address goes on to the 404 page (or sign-in), as a GET does.
      if (req.method !== "POST") (res.locals as { unknownAddress?: boolean }).unknownAddress = true;
      return next();
    }
    if (allowed.includes(req.method)) return next();
    answerUnsupportedMethod(req, res, allowed);
  };
}

/**
 * After the session lookup: PUT, PATCH, DELETE… to a page that does not exist is a 404 for a
 * signed-in person (not "method not allowed", as if it existed). Anyone else keeps the plain 405 such a
 * method always got, rather than a sign-in redirect for something no page takes. (This hides nothing:
 * which addresses exist is public — the route list is in the source — and other headers differ.)
 */
export const answerUnknownAddressMethods: RequestHandler = (req, res, next) => {
  if ((res.locals as { unknownAddress?: boolean }).unknownAddress !== true) return next();
  const auth = res.locals.auth as RequestAuth | undefined;
  // Anyone else: a plain 405, as before the session was known.
  if (!auth?.user) return answerUnsupportedMethod(req, res, ALL_METHODS);
  // (An /api address no route claims never gets here: answerUnknownApiAddresses has answered it.)
  sendClientError(req, res, {
    status: 404,
    code: "not_found",
    title: "Page not found",
    message: "There is nothing at this address. It may have moved, or the link may be mistyped.",
  });
};

/** A request body that passed the guard: no NUL characters, form values without lone surrogates. */
export type GuardedBody = { bytes: Buffer; contentType: string; hadNul?: boolean };

const FORM = "application/x-www-form-urlencoded";
const MULTIPART = "multipart/form-data";

type Failure = Parameters<typeof sendClientError>[2];

function mediaType(req: Request): string | undefined {
  return req.get("content-type")?.split(";")[0]?.trim().toLowerCase() || undefined;
}

function isJson(type: string | undefined): boolean {
  return type === "application/json" || Boolean(type?.startsWith("application/") && type.endsWith("+json"));
}

function hasBody(req: Request): boolean {
  const length = req.get("content-length");
  return length !== undefined ? length !== "0" : req.get("transfer-encoding") !== undefined;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Lone surrogates (never sent by a browser's UTF-8 form encoding) become U+FFFD, as decoding does. */
function cleanText(text: string): string {
  return text.replace(LONE_SURROGATE, "\uFFFD");
}

/** U+FFFD in place of each NUL, as a browser shows one in a field: what a page shows back of a refused post. */
const withoutNul = (text: string) => text.replaceAll("\0", "\uFFFD");

/** Walks the parsed JSON with a list, not by recursion: a body nested 5,000 deep overflowed the stack (a 500). */
function hasBadText(parsed: unknown): boolean {
  const lone = new RegExp(LONE_SURROGATE.source);
  const pending: unknown[] = [parsed];
  while (pending.length) {
    const value = pending.pop();
    if (typeof value === "string") {
      if (value.includes("\0") || lone.test(value)) return true;
    } else if (Array.isArray(value)) {
      for (const item of value) pending.push(item);
    } else if (value && typeof value === "object") {
      for (const [key, item] of Object.entries(value)) pending.push(key, item);
    }
  }
  return false;
}

const unsupported = (expected: string): Failure => ({
  status: 415,
  code: "unsupported_media_type",
  title: "Unsupported media type",
  message: `Send the request body as ${expected}.`,
});

/**
 * JSON is UTF-8 (RFC 8259 §8.1): a body that declares another charset (`application/json; charset=latin1`)
 * would be read as UTF-8 anyway and stored altered, so it is refused and the client told.
 */
const unsupportedCharset = (charset: string): Failure => ({
  status: 415,
  code: "unsupported_charset",
  title: "Unsupported media type",
  message: `The request body declares ${
    /^[\w.:-]{1,40}$/.test(charset) ? `charset ${charset}` : "a charset other than UTF-8"
  }; send JSON as UTF-8 (charset=utf-8, or none).`,
});

/**
 * The request body's content codings when there is one ARES does not read (anything but identity). A
 * list (`identity, gzip`) is split: `identity, identity` or an empty entry compress nothing.
 */
function contentCoding(req: Request): string | undefined {
  const codings = (req.get("content-encoding") ?? "")
    .split(",")
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== "" && coding !== "identity");
  return codings.length ? codings.join(", ") : undefined;
}

const compressedBody = (coding: string): Failure => ({
  status: 415,
  code: "unsupported_content_encoding",
  title: "Unsupported media type",
  message: `The request body is sent with Content-Encoding ${
    /^[\w., -]{1,40}$/.test(coding) ? coding : "other than identity"
  }; send it uncompressed.`,
  headers: { "Accept-Encoding": "identity" },
});

const unreadableContentType: Failure = {
  status: 415,
  code: "unsupported_media_type",
  title: "Unsupported media type",
  message: "The Content-Type header could not be read; send application/json (charset=utf-8, or none).",
};

/** Why a JSON body's Content-Type is refused: unreadable, or a charset other than UTF-8. */
function jsonContentTypeFailure(req: Request): Failure | undefined {
  const charset = nonUtf8Charset(req.get("content-type") ?? "");
  if (charset === null) return unreadableContentType;
  return charset === undefined ? undefined : unsupportedCharset(charset);
}

const badText: Failure = {
  status: 400,
  code: "invalid_text",
  title: "Bad request",
  message: "The request contains a NUL character or an unpaired surrogate, which cannot be stored.",
};

/** A urlencoded form that is not valid text in the charset it declares (UTF-8 when none). */
const badFormEncoding: Failure = {
  status: 400,
  code: "invalid_encoding",
  title: "Bad request",
  message: "The form is not valid UTF-8 text (or the charset it declares), so nothing was stored. Send it as UTF-8.",
};

/** Multipart text parts are read as UTF-8 whatever they declare (as browsers send them). */
const badMultipartEncoding: Failure = {
  status: 400,
  code: "invalid_encoding",
  title: "Bad request",
  message: "A text field of the form is not valid UTF-8, so nothing was stored. Send it as UTF-8.",
};

/**
 * API JSON that is not UTF-8. Its `code` stays `invalid_text`, as v1 answered it before (docs/api-versioning.md:
 * an existing outcome's code never changes in v1).
 */
const badJsonEncoding: Failure = {
  status: 400,
  code: "invalid_text",
  title: "Bad request",
  message: "The request body is not valid UTF-8, so nothing was stored. Send JSON as UTF-8.",
};

/** A multipart text field is its bytes as sent: one that UTF-8 decoding altered (U+FFFD) was not UTF-8. */
function alteredByDecoding(text: string, bytes: Buffer): boolean {
  return text.includes("\uFFFD") && !bytes.includes(Buffer.from(text, "utf8"));
}

/**
 * PostgreSQL cannot store U+0000 (no keyboard types it; pasted binary can hold it). A post holding one is
 * refused, never silently stored altered: with a bare 400, or, for a page that answers refusals itself
 * (`nulTolerance`, page-forms.server.ts), handed on with U+FFFD in its place and marked (`hadNul`), so that
 * the page refuses it with what was typed and the reason instead (write-limit.server.ts).
 */
/**
 * Telegram's webhook: an update it cannot deliver (any answer but 2xx) is sent again and again, so one
 * message holding a NUL (or a lone surrogate, `\ud800` in JSON) refused with a 400 was retried for
 * good and held up the chat's later updates. Its text is made storable instead, each such character
 * U+FFFD (as a NUL in the model's replies is), and the message answered like any other: the person gets
 * a reply rather than silence. The route still checks the secret before handling anything.
 */
const STORABLE_JSON_PATHS = new Set(["/api/v1/telegram/webhook"]);

/** The JSON with every NUL and lone surrogate in its strings and keys made U+FFFD; undefined if it cannot be rewritten. */
function storableJson(parsed: unknown): Buffer | undefined {
  try {
    return Buffer.from(
      JSON.stringify(parsed, (_key, value: unknown) => {
        if (typeof value === "string") return withoutNul(cleanText(value));
        // Keys too (a replacer only sees values): one with a NUL was handed on unchanged.
        if (value && typeof value === "object" && !Array.isArray(value))
          return Object.fromEntries(Object.entries(value).map(([key, item]) => [withoutNul(cleanText(key)), item]));
        return value;
      }),
    );
  } catch (error) {
    // Nested too deep to write back (no update from Telegram is): refused as before.
    if (error instanceof RangeError) return undefined;
    throw error;
  }
}

/**
 * Where a NUL may arrive and go on as U+FFFD: in any field of a page form (its page refuses the post with
 * what was typed), only in the message box's text for a button that submits that box's form to another
 * action (the theme switch, a calendar card: page-forms.server.ts) — a NUL in that action's own fields is
 * refused as anywhere else — and nowhere otherwise.
 */
type NulTolerance = "any field" | { onlyIn: ReadonlySet<string> } | "none";

function nulTolerance(req: Request, api: boolean): NulTolerance {
  if (api) return "none";
  if (isPageFormPost(req)) return "any field";
  return carriesComposerText(req) ? { onlyIn: COMPOSER_TYPED_FIELDS } : "none";
}

async function reencode(
  type: string | undefined,
  bytes: Buffer,
  contentType: string,
  { nul, storableJsonWanted }: { nul: NulTolerance; storableJsonWanted: boolean },
): Promise<GuardedBody | Failure> {
  // A field holding a NUL that this post may not carry on as U+FFFD (a NUL in a field's name only a page form may).
  const refused = (name: string, value: string) =>
    nul !== "any field" && (name.includes("\0") || (value.includes("\0") && (nul === "none" || !nul.onlyIn.has(name))));
  if (type === FORM) {
    const fields = decodeForm(bytes, contentType);
    // Refused rather than stored with U+FFFD in place of what was typed.
    if (!fields) return badFormEncoding;
    const hadNul = fields.some(([name, value]) => name.includes("\0") || value.includes("\0"));
    if (fields.some(([name, value]) => refused(name, value))) return badText;
    const clean = hadNul ? fields.map(([name, value]) => [withoutNul(name), withoutNul(value)]) : fields;
    // Handed on as UTF-8, the only charset Remix's form reader knows.
    return { bytes: Buffer.from(new URLSearchParams(clean).toString()), contentType: FORM, hadNul };
  }
  if (type === MULTIPART) {
    let form: FormData;
    try {
      form = await new Request("http://body.invalid/", {
        method: "POST",
        body: new Uint8Array(bytes),
        headers: { "content-type": contentType },
      }).formData();
    } catch {
      return { status: 400, code: "invalid_body", title: "Bad request", message: "The form data could not be read." };
    }
    const texts = [...form].flatMap(([name, value]) => (typeof value === "string" ? [name, value] : [name]));
    if (texts.some((text) => alteredByDecoding(text, bytes))) return badMultipartEncoding;
    const hadNul = texts.some((text) => text.includes("\0"));
    if ([...form].some(([name, value]) => refused(name, typeof value === "string" ? value : ""))) return badText;
    const clean = new FormData();
    for (const [name, value] of form)
      clean.append(withoutNul(cleanText(name)), typeof value === "string" ? withoutNul(cleanText(value)) : value);
    const encoded = new Response(clean);
    return {
      bytes: Buffer.from(await encoded.arrayBuffer()),
      contentType: encoded.headers.get("content-type")!,
      hadNul,
    };
  }
  // JSON for the API: refused rather than altered, a client must know its data was not stored as sent.
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return badJsonEncoding;
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (hasBadText(parsed)) {
      const storable = storableJsonWanted ? storableJson(parsed) : undefined;
      return storable ? { bytes: storable, contentType } : badText;
    }
  } catch (error) {
    // Malformed JSON is the endpoint's to report (problem `invalid_json`).
    if (!(error instanceof SyntaxError)) throw error;
  }
  return { bytes, contentType };
}

/** The fields of a post refused as too large that are handed on to the page answering it (the calendar's import). */
const TOO_LARGE_FIELDS = new Set(["intent", "restoreDeleted"]);

/** Logged (debug) for a request let go because its client went away before its body was read. */
export const CLIENT_GONE_MESSAGE = "client gone before its body was read; let go";
/** Logged (debug) for a request let go because its client went away while its body was read. */
export const CLIENT_WENT_AWAY_MESSAGE = "client went away while its body was read; let go";

/**
 * A body found over the limit while it was read (sent without a length): the start of what was read until
 * then, as much as the fields before a file are looked for in (the rest is let go, not held while the
 * refused body is discarded).
 */
export class TooLarge {
  constructor(readonly start: Buffer) {}
}

/**
 * The body, up to `limitBytes`. A client that goes away mid-body (its socket reset: 'error' "aborted",
 * or 'close' before 'end') gives "client_went_away" ("client_gone" if gone before): nobody is left to
 * answer, and as an error it reached the error handler, which took the ECONNRESET for a database outage
 * (logged and counted as one).
 */
export function readLimited(
  req: Request,
  limitBytes: number,
): Promise<Buffer | TooLarge | "client_gone" | "client_went_away"> {
  return new Promise((resolve, reject) => {
    // Gone while earlier middleware awaited (the session): 'close' has fired already and nothing else will.
    if (req.destroyed) return resolve("client_gone");
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      const before = size;
      size += chunk.length;
      if (size <= limitBytes) return void chunks.push(chunk);
      // Stop reading at the limit: the rest of the body is never buffered.
      req.off("data", onData);
      req.pause();
      // A copy of its first HEAD_LIMIT_BYTES only (concat's length cuts it): the chunks read are let go.
      resolve(new TooLarge(Buffer.concat(chunks, Math.min(before, HEAD_LIMIT_BYTES))));
    };
    req.on("data", onData);
    // A settled promise ignores later calls: 'close' after 'end' (or after "too_large") changes nothing.
    req.once("end", () => resolve(Buffer.concat(chunks)));
    req.once("close", () => resolve("client_went_away"));
    req.once("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "ECONNRESET" || error.code === "ECONNABORTED" || req.destroyed) resolve("client_went_away");
      else reject(error);
    });
  });
}

/** How much of a refused body is read and thrown away, at most, before the connection is cut. */
const DISCARD_LIMIT_BYTES = 8 * 1024 * 1024;
/** How long a refused body is read, at most: a client trickling it (no sign-in, no rate limit yet) is cut. */
const DISCARD_TIME_MS = 10_000;

/**
 * Reads and throws away the rest of a body refused as too large, so that the client, still sending,
 * reads the 413: closing the connection instead (Node destroys the socket as soon as the answer is
 * written) made the client's kernel answer its next bytes with a reset, which often lost the answer
 * unread. Past DISCARD_LIMIT_BYTES or DISCARD_TIME_MS the connection is cut; the answer went out well before.
 */
export function discardRestOfBody(req: Request, res: Response): void {
  let discarded = 0;
  // Never before the answer is out: a page that answers a refused post itself (the calendar) renders
  // first, and a fast client can send 8 MiB before it has — cut then, its answer was lost to a reset.
  const cut = () => {
    if (res.writableFinished) req.socket.destroy();
    else res.once("finish", () => req.socket.destroy());
  };
  const timer = setTimeout(cut, DISCARD_TIME_MS);
  timer.unref();
  const stop = () => clearTimeout(timer);
  req.once("end", stop);
  req.once("close", stop);
  req.on("data", (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > DISCARD_LIMIT_BYTES) cut();
  });
  req.resume();
}

/**
 * The one body reader in front of every action: checks the media type (forms for pages, JSON for
 * /api), stops at the request's size limit (413), and hands Remix a body without NUL characters or lone
 * surrogates: a NUL anywhere is refused (400; a page form's post goes on to its page marked, see reencode), bytes that are not text in the body's charset (UTF-8
 * unless a form declares another) are refused (400), JSON with lone surrogates is refused (400). Bad input is the client's
 * mistake and never reaches an action as a TypeError or a database encoding error.
 */
export function bodyGuard(limitFor: (req: Request) => number): RequestHandler {
  const tooLargeFor = (limitBytes: number): Failure => ({
    status: 413,
    code: "payload_too_large",
    title: "Request too large",
    message: `The request body is larger than ${limitBytes.toLocaleString("en")} bytes.`,
  });
  // A page that says so at its form (the calendar's import) gets the post marked, with only the fields sent
  // before its file (nothing else of the body is read), and answers with itself, the message and the choices
  // made (the import's "Also bring back events I deleted"): a bare 413 page had no form to go back to.
  // A body sent without a length (chunked) was read up to the limit before it was found too large: its
  // fields are read from that start, as they are from the socket when the length said so first.
  const handOnTooLarge = async (req: Request, res: Response, start: Buffer | "unread") => {
    const contentType = req.get("content-type") ?? "";
    const read =
      mediaType(req) !== MULTIPART
        ? []
        : start === "unread"
          ? await fieldsBeforeFile(req, contentType)
          : await fieldsBeforeFileIn(start, contentType);
    discardRestOfBody(req, res);
    // Only what the page's action reads of a refused post: anything else sent before the file is dropped.
    const head = read.filter(([name]) => TOO_LARGE_FIELDS.has(name));
    // Bytes that were not UTF-8 are U+FFFD already (Remix's upload handler decodes with Blob.text()); a NUL,
    // as in every form's fields, is not handed on: then no fields are.
    const fields = await reencode(FORM, Buffer.from(new URLSearchParams(head).toString()), FORM, {
      nul: "none",
      storableJsonWanted: false,
    });
    res.locals[BODY_TOO_LARGE_LOCAL] = true;
    (res.locals as { body?: GuardedBody }).body =
      "bytes" in fields ? fields : { bytes: Buffer.alloc(0), contentType: FORM };
  };
  const refuseTooLarge = (
    req: Request,
    res: Response,
    next: NextFunction,
    limitBytes: number,
    start: Buffer | "unread",
  ) => {
    if (answersTooLargeItself(req)) {
      // A client gone (before or while its head was read) is let go: a page rendered for nobody otherwise.
      if (req.destroyed) return void logger.debug({ path: routePath(req).path }, CLIENT_GONE_MESSAGE);
      handOnTooLarge(req, res, start).then(() => {
        if (req.destroyed) return void logger.debug({ path: routePath(req).path }, CLIENT_WENT_AWAY_MESSAGE);
        next();
      }, next);
      return;
    }
    discardRestOfBody(req, res);
    sendClientError(req, res, tooLargeFor(limitBytes));
  };
  return (req, res, next) => {
    if (req.method !== "POST") return next();
    const limitBytes = limitFor(req);
    const api = isApiPath(routePath(req).path);
    const type = mediaType(req);
    const fail = (failure: Failure) => sendClientError(req, res, failure);
    const guarded = (body: GuardedBody) => {
      (res.locals as { body?: GuardedBody }).body = body;
      if (body.hadNul) res.locals[BAD_TEXT_LOCAL] = true;
      next();
    };
    if (!hasBody(req)) return guarded({ bytes: Buffer.alloc(0), contentType: api ? "application/json" : FORM });
    // Bodies are read as sent: a compressed one was read as its compressed bytes (a gzipped form "not
    // UTF-8", a mislabelled plain one accepted), so any coding but identity is refused (RFC 9110 §15.5.16).
    const coding = contentCoding(req);
    if (coding) return fail(compressedBody(coding));
    if (api ? !isJson(type) : type !== FORM && type !== MULTIPART) {
      return fail(unsupported(api ? "application/json" : `${FORM} or ${MULTIPART}`));
    }
    const contentTypeFailure = api ? jsonContentTypeFailure(req) : undefined;
    if (contentTypeFailure) return fail(contentTypeFailure);
    if (Number(req.get("content-length") ?? 0) > limitBytes)
      return refuseTooLarge(req, res, next, limitBytes, "unread");
    readLimited(req, limitBytes)
      .then(async (bytes) => {
        // The client is gone: end quietly, nothing to answer and nothing wrong here.
        if (bytes === "client_gone") return void logger.debug({ path: routePath(req).path }, CLIENT_GONE_MESSAGE);
        if (bytes === "client_went_away") {
          return void logger.debug({ path: routePath(req).path }, CLIENT_WENT_AWAY_MESSAGE);
        }
        if (bytes instanceof TooLarge) return refuseTooLarge(req, res, next, limitBytes, bytes.start);
        const result = await reencode(type, bytes, req.get("content-type") ?? "", {
          nul: nulTolerance(req, api),
          storableJsonWanted: api && STORABLE_JSON_PATHS.has(routePath(req).path),
        });
        return "bytes" in result ? guarded(result) : fail(result);
      })
      .catch(next);
  };
}

export function guardedBody(res: Response): GuardedBody | undefined {
  return (res.locals as { body?: GuardedBody }).body;
}
