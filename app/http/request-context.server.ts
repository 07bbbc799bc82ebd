import { randomBytes, randomUUID } from "node:crypto";
import type { NextFunction, Request, Response } from "express";
import { runInRequestScope } from "~/observability/request-scope.server";
import type { RequestAuth } from "~/sessions/types";
import { BAD_TEXT_LOCAL, BODY_TOO_LARGE_LOCAL } from "./page-forms.server";

/** What every Remix loader and action receives as `context`. */
declare module "@remix-run/node" {
  interface AppLoadContext {
    requestId: string;
    cspNonce: string;
    /** The client's address as Express sees it (honours `trust proxy`). */
    clientIp: string | undefined;
    userAgent: string | undefined;
    /** The signed-in person and their session, resolved once per request before Remix runs. */
    auth: RequestAuth;
    /** The route template the address matches (`/chat/:conversationId`), for error reports. */
    route: string;
    /** The session lookup found the database unreachable (a Remix data request; see outage.server.ts). */
    databaseUnavailable: boolean;
    /** The sign-in limit refused this login attempt: seconds until the next may be made (rate-limit.server.ts). */
    signInRetryAfterSeconds: number | undefined;
    /** A rate limit refused this page form post (page-forms.server.ts): seconds to wait (rate-limit.server.ts). */
    writeRetryAfterSeconds: number | undefined;
    /** This page form post held a NUL, replaced by U+FFFD on the way: the page refuses it (body-guard.server.ts). */
    formHadNul: boolean;
    /** This page form post was over the body limit and arrives without its body: the page says so (body-guard.server.ts). */
    bodyTooLarge: boolean;
    /** Tells the sign-in limit that this request signed someone in, so it is not counted (rate-limit.server.ts). */
    markSignInSucceeded: () => void;
    /** Remix renders an HTML document for this request (not a `.data` request of a page already open). */
    documentRequest: boolean;
  }
}

/** Set by the sign-in limit on a refused attempt it hands to the login page (rate-limit.server.ts). */
export const SIGN_IN_REFUSED_LOCAL = "signInRetryAfterSeconds";
/** Set by a rate limit on a refused page form post it hands to the page (rate-limit.server.ts). */
export const WRITE_REFUSED_LOCAL = "writeRetryAfterSeconds";
/**
 * Set by the session middleware on a post after the session ended that will keep a chat message for its
 * person (`{ user, endedSession, … }`): the write limit counts it under that ended session, not the
 * person's live key (rate-limit.server.ts).
 */
export const SIGNED_OUT_KEEP_LOCAL = "signedOutKeep";
/** Set by the login action once a password sign-in has started a session (read by rate-limit.server.ts). */
export const SIGN_IN_SUCCEEDED_LOCAL = "signInSucceeded";

const INCOMING_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/** Keeps a proxy's X-Request-Id when it looks like one, so a request can be traced across hops. */
export function requestIdMiddleware(req: Request, res: Response, next: NextFunction): void {
  const incoming = req.get("x-request-id");
  const requestId = incoming && INCOMING_ID.test(incoming) ? incoming : randomUUID();
  res.locals.requestId = requestId;
  res.locals.cspNonce = randomBytes(16).toString("base64");
  res.setHeader("X-Request-Id", requestId);
  runInRequestScope(requestId, next);
}

export function loadContext(req: Request, res: Response, route: string) {
  // Kept for Express's last-resort handler too, for a failure after Remix took the request.
  res.locals.route = route;
  return {
    requestId: String(res.locals.requestId),
    cspNonce: String(res.locals.cspNonce),
    clientIp: req.ip,
    userAgent: req.get("user-agent"),
    auth: (res.locals.auth as RequestAuth | undefined) ?? { user: null, session: null },
    route,
    databaseUnavailable: res.locals.databaseUnavailable === true,
    signInRetryAfterSeconds:
      typeof res.locals[SIGN_IN_REFUSED_LOCAL] === "number" ? (res.locals[SIGN_IN_REFUSED_LOCAL] as number) : undefined,
    writeRetryAfterSeconds:
      typeof res.locals[WRITE_REFUSED_LOCAL] === "number" ? (res.locals[WRITE_REFUSED_LOCAL] as number) : undefined,
    formHadNul: res.locals[BAD_TEXT_LOCAL] === true,
    bodyTooLarge: res.locals[BODY_TOO_LARGE_LOCAL] === true,
    markSignInSucceeded: () => {
      res.locals[SIGN_IN_SUCCEEDED_LOCAL] = true;
    },
    // Single-fetch data requests are `<page>.data` (and `/_root.data`); Remix strips that before loaders run.
    documentRequest: !req.path.endsWith(".data"),
  };
}
