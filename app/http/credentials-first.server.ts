import type { RequestHandler } from "express";
import { INTERNAL_KEY_REFUSAL, lacksInternalKey } from "~/api/internal-key.server";
import { WEBHOOK_PATH, webhookRefusal } from "~/telegram/bot.server";
import { discardRestOfBody } from "./body-guard.server";
import { labelRoute } from "./metrics.server";
import { sendProblem } from "./problem.server";
import { routePath } from "./route-path.server";

/**
 * The two endpoints whose caller proves itself with a header instead of a session (Telegram's webhook
 * secret, the internal API key) refuse a caller without it before the body guard looks at the body:
 * otherwise a wrong content type, encoding or size answered 415 or 413 first, telling a caller who is
 * nobody what the endpoint reads and how much. The routes check the same again.
 * A refusal still goes through `rateLimit` (the write limit by address, which needs no body) first: it
 * answered after the body guard before, and a caller guessing the secret or the key must keep meeting the
 * limit's 429. A call with the credential is counted once, later, where every other request is.
 */
export const refuseUncredentialedCalls =
  (rateLimit: RequestHandler): RequestHandler =>
  (req, res, next) => {
    if (req.method !== "POST") return next();
    const { path } = routePath(req);
    const refuse = (
      status: number,
      code: string,
      title: string,
      detail?: string,
      headers: Record<string, string> = {},
    ) => {
      // Read and thrown away (within limits), as for a 413: a client still sending then reads the answer
      // (the limit's 429 too).
      discardRestOfBody(req, res);
      labelRoute(res, code);
      res.setHeader("Cache-Control", "no-store");
      rateLimit(req, res, (error?: unknown) => {
        if (error) return next(error);
        for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
        sendProblem(res, status, code, title, detail);
      });
    };
    if (path === WEBHOOK_PATH) {
      const refusal = webhookRefusal(req.get("x-telegram-bot-api-secret-token"));
      return refusal ? refuse(refusal.status, refusal.code, refusal.title) : next();
    }
    if (path.startsWith("/api/v1/internal/") && lacksInternalKey(path, req.get("authorization"))) {
      const { status, code, title, detail, headers } = INTERNAL_KEY_REFUSAL;
      return refuse(status, code, title, detail, headers);
    }
    next();
  };
