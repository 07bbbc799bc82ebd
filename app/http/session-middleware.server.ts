import type { NextFunction, Request, Response } from "express";
import { sendProblem } from "~/http/problem.server";
import { logger } from "~/observability/logger.server";
import { handOutageToRemix } from "./outage.server";
import { isPublicPath, skipsSessionLookup } from "~/auth/public-routes";
import { followingFrameConversation, followingSignedOutHtml } from "~/chat/following-page.server";
import { composerPage, isKeepFailure, keepMessage } from "~/chat/kept-text.server";
import { KEEP_TO_FIELD, VERSION_FIELD } from "~/chat/schemas";
import { unsentMessageHtml } from "~/chat/unsent-message.server";
import { guardedBody } from "./body-guard.server";
import { holdsTypedText, keepTypedCookie, typedText, unsavedFormHtml } from "./unsaved-form.server";
import { BAD_TEXT_LOCAL } from "./page-forms.server";
import { SIGNED_OUT_KEEP_LOCAL, WRITE_REFUSED_LOCAL } from "./request-context.server";
import { themeFromCookie } from "~/components/theme";
import { clearSessionCookie, readSessionId } from "~/sessions/cookie.server";
import { resolveSession } from "~/sessions/sessions.server";
import type { RequestAuth } from "~/sessions/types";
import { isApiPath, routePath } from "./route-path.server";

/**
 * Resolves the session cookie once per request (one indexed query) and hands the result to Remix
 * through the load context and to the rate limiter as `res.locals.userId`.
 */
export async function resolveSessionMiddleware(req: Request, res: Response, next: NextFunction): Promise<void> {
  if (skipsSessionLookup(routePath(req).path)) return next();
  try {
    const sessionId = await readSessionId(req.headers.cookie);
    if (!sessionId) return next();
    // The session's last use is recorded once the response is done: never on the way to the answer.
    const auth: RequestAuth = await resolveSession(sessionId, new Date(), (write) => {
      const record = () => {
        write().catch((error: unknown) => logger.warn({ err: error }, "could not record a session's last use"));
      };
      // A client gone during the lookup: "close" has already been emitted.
      if (res.destroyed || res.writableFinished) record();
      else res.once("close", record);
    });
    res.locals.auth = auth;
    if (auth.user) res.locals.userId = auth.user.id;
    else res.append("Set-Cookie", await clearSessionCookie());
    next();
  } catch (error) {
    // A database outage: the error page, or for the Remix client a 503 in Remix's format.
    handOutageToRemix(error, req, res, next);
  }
}

/**
 * Default-deny for documents and the API: anything not listed as public needs a session. Remix data
 * requests (`*.data`) pass through to the loaders' own requireUser, which answers in Remix's format.
 */
export function requireSessionByDefault(req: Request, res: Response, next: NextFunction): void {
  const auth = res.locals.auth as RequestAuth | undefined;
  const route = routePath(req);
  // With JS, a form's save after the session ended is a data request: Remix sends the page to sign in, and
  // what was typed (a calendar event, a system prompt) was gone. Its text is kept all the same
  // (keepUnsentMessage), so the form has it back after signing in, as without JS.
  const post = req.method === "POST";
  if (route.data && post && !auth?.user && auth && holdsTypedText(route.path)) {
    const user = recentlyEndedUser(auth, new Date());
    if (user) (res.locals as { signedOutForm?: SignedOutForm }).signedOutForm = { route: route.path, user };
    return next();
  }
  // A data request whose session could not be looked up (database down) gets its 503 from Remix.
  if (auth?.user || res.locals.databaseUnavailable === true || isPublicPath(route.path) || route.data) return next();
  if (isApiPath(route.path)) {
    sendProblem(res, 401, "unauthenticated", "Unauthorized", "Sign in first.");
    return;
  }
  const read = req.method === "GET" || req.method === "HEAD";
  // The no-JS following frame (chat/following-page.server.ts) sits inside the conversation page: a
  // redirect would show the whole sign-in page in the frame. It gets a line and a link that signs in
  // again in the whole window, and back to the conversation.
  const frameOf = read ? followingFrameConversation(route.path, req.path) : null;
  const params = new URLSearchParams({ redirectTo: frameOf ?? req.originalUrl });
  if (auth?.ended && auth.ended !== "unknown") params.set("reason", auth.ended);
  if (frameOf) {
    res.status(401).type("html").setHeader("Cache-Control", "no-store");
    res.send(followingSignedOutHtml(`/login?${params}`, themeFromCookie(req.get("cookie") ?? null)));
    return;
  }
  // A message typed on a chat page is read first (keepUnsentMessage, after the body guard): it must not be lost.
  const composer = read ? null : composerPage(route.path, req.path);
  if (composer) {
    (res.locals as { signedOutPost?: SignedOutPost }).signedOutPost = {
      page: composer,
      user: auth ? recentlyEndedUser(auth, new Date()) : null,
      endedSession: auth?.endedSessionId ?? null,
      signIn: `/login?${new URLSearchParams({ ...Object.fromEntries(params), redirectTo: composer })}`,
    };
    return next();
  }
  // So is the text of a calendar event or a memory entry (keepUnsentMessage shows it back).
  if (!read && holdsTypedText(route.path)) {
    (res.locals as { signedOutForm?: SignedOutForm }).signedOutForm = {
      route: route.path,
      // As for a chat message: only a session that ended in the last 15 minutes, never a disabled account's.
      user: auth ? recentlyEndedUser(auth, new Date()) : null,
      signIn: `/login?${params}`,
    };
    return next();
  }
  res.redirect(read ? 302 : 303, `/login?${params}`);
}

/**
 * How long after a session ended its typed text is still kept for after signing in again (a chat
 * message's row, a form's cookie): an old, revoked or disabled session's cookie replayed must not be a
 * way to write rows or to carry text to the next sign-in: past this, or for a disabled account, it is
 * only shown back. The rows a keep writes are counted by the write limit under the ended session
 * (SIGNED_OUT_KEEP_LOCAL), not the person's live key.
 */
const KEEP_AFTER_END_MS = 15 * 60 * 1000;

function recentlyEndedUser(auth: RequestAuth, now: Date): string | null {
  if (auth.user || !auth.endedUserId || auth.ended === "disabled" || !auth.endedAt) return null;
  return now.getTime() - auth.endedAt.getTime() <= KEEP_AFTER_END_MS ? auth.endedUserId : null;
}

/**
 * What the write limit counts a keep after the session ended under (SIGNED_OUT_KEEP_LOCAL): the ended
 * session, never the person's own key — whoever holds a revoked cookie must not use up the budget of the
 * person's live sessions (their own writes refused, their text then only shown back).
 */
export type SignedOutKeep = SignedOutAnswer & { user: string; endedSession: string };

/**
 * `user`: whose ended session posted it (null without a known session: the text is only shown back).
 * `signIn`: where the 401 page sends them (a document post); none for a data request, which Remix answers
 * with its own sign-in redirect.
 */
type SignedOutForm = { route: string; user: string | null; signIn?: string };

/** `user`: whose ended session sent it (null without a known session: the text is only shown back). */
type SignedOutPost = { page: string; user: string | null; endedSession: string | null; signIn: string };

/** The `?occurrence=` of the address posted to (one date of a repeating event), if any. */
const occurrenceOf = (req: Request) => new URL(req.originalUrl, "http://ares.invalid").searchParams.get("occurrence");

/**
 * What goes back into the Send box: the box's own text, posted by Send or by another button of the page
 * that submits its form (Pin, Regenerate…). An edit's text is the edit box's: there it would be sent as a
 * new message.
 */
const keptIntent = (intent: string | null) => intent !== "edit";

/**
 * After the body guard: a chat message posted once the session had ended (signed out in another tab,
 * expired) is shown back on a 401 page, to copy, and kept for the composer after signing in again
 * (chat/kept-text.server.ts); an event's or a memory entry's typed text is shown back. A post without any goes to
 * the sign-in page as every other signed-out post does.
 */
export function keepUnsentMessage(req: Request, res: Response, next: NextFunction): void {
  const pending = (res.locals as { signedOutPost?: SignedOutPost }).signedOutPost;
  const form = (res.locals as { signedOutForm?: SignedOutForm }).signedOutForm;
  if (!pending && !form) return next();
  const body = guardedBody(res);
  const fields =
    body?.contentType === "application/x-www-form-urlencoded" ? new URLSearchParams(body.bytes.toString()) : null;
  // It held a NUL, shown as U+FFFD: kept in a cookie it came back into the form after signing in, with no
  // reason given, and saving it stored the U+FFFD. It is only shown back, with the reason.
  const hadNul = res.locals[BAD_TEXT_LOCAL] === true;
  if (form && form.signIn === undefined) {
    // Only kept (a NUL never is): Remix answers the data request with its own sign-in redirect. A text
    // too long for the cookie, or with a NUL, is lost here without a word (unsaved-form.server.ts).
    if (!fields || hadNul || !form.user || typedText(form.route, fields).length === 0) return next();
    keepTypedCookie(form.route, occurrenceOf(req), form.user, fields)
      .then((cookie) => {
        if (cookie) res.append("Set-Cookie", cookie);
        next();
      })
      .catch(next);
    return;
  }
  if (form?.signIn !== undefined) {
    const { signIn } = form;
    const typed = fields ? typedText(form.route, fields) : [];
    if (typed.length === 0) {
      res.redirect(303, signIn);
      return;
    }
    // Without knowing whose session ended, a cookie could give the text to whoever signs in next here.
    (form.user && fields && !hadNul
      ? keepTypedCookie(form.route, occurrenceOf(req), form.user, fields)
      : Promise.resolve(null)
    )
      .then((cookie) => {
        if (cookie) res.append("Set-Cookie", cookie);
        res.status(401).type("html").setHeader("Cache-Control", "no-store");
        res.send(
          unsavedFormHtml({
            typed,
            signInAddress: signIn,
            kept: cookie !== null,
            hadNul,
            theme: themeFromCookie(req.get("cookie") ?? null),
          }),
        );
      })
      .catch(next);
    return;
  }
  if (!pending) return next();
  const message = fields?.get("message") ?? "";
  if (!message.trim()) {
    res.redirect(303, pending.signIn);
    return;
  }
  // Without knowing whose session ended, a cookie could give the text to whoever signs in next here.
  const intent = fields?.get("intent") ?? null;
  const answer: SignedOutAnswer = {
    message,
    page: pending.page,
    signIn: pending.signIn,
    hadNul,
    // A link or a reply version pressed (no JS) submits the box's form without an intent: not a send.
    sent: (intent ?? "send") === "send" && !fields?.has(KEEP_TO_FIELD) && !fields?.has(VERSION_FIELD),
  };
  if (pending.user === null || pending.endedSession === null || hadNul || !keptIntent(intent)) {
    sendUnsentMessage(req, res, answer, false);
    return;
  }
  // A row will be written: the write limit counts it under the ended session (rate-limit.server.ts),
  // and answerSignedOutKeep keeps it unless the limit refused it.
  const keep: SignedOutKeep = { ...answer, user: pending.user, endedSession: pending.endedSession };
  (res.locals as Record<string, unknown>)[SIGNED_OUT_KEEP_LOCAL] = keep;
  next();
}

type SignedOutAnswer = { message: string; page: string; signIn: string; hadNul: boolean; sent: boolean };

function sendUnsentMessage(req: Request, res: Response, answer: SignedOutAnswer, kept: boolean): void {
  res.status(401).type("html").setHeader("Cache-Control", "no-store");
  res.send(
    unsentMessageHtml({
      message: answer.message,
      signInAddress: answer.signIn,
      kept,
      hadNul: answer.hadNul,
      sent: answer.sent,
      theme: themeFromCookie(req.get("cookie") ?? null),
    }),
  );
}

/**
 * After the rate limiter: keeps the chat message of a signed-out post (keepUnsentMessage) for the person
 * whose session ended, counted under that ended session; refused by the limit (or failing in the database), it is
 * only shown back, to copy.
 */
export function answerSignedOutKeep(req: Request, res: Response, next: NextFunction): void {
  const pending = (res.locals as Record<string, SignedOutKeep | undefined>)[SIGNED_OUT_KEEP_LOCAL];
  if (!pending) return next();
  if (res.locals[WRITE_REFUSED_LOCAL] !== undefined) {
    sendUnsentMessage(req, res, pending, false);
    return;
  }
  // The box says, after signing in, that the text is the one from this post (`unsent`).
  keepMessage(pending.user, pending.page, pending.message, { notes: ["unsent"] })
    .catch((error: unknown) => {
      if (!isKeepFailure(error)) throw error;
      logger.warn({ err: error }, "a signed-out post's message could not be kept");
      return null;
    })
    .then((cookie) => {
      if (cookie) res.append("Set-Cookie", cookie);
      sendUnsentMessage(req, res, pending, cookie !== null);
    })
    .catch(next);
}
