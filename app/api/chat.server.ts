import type { AppLoadContext } from "@remix-run/node";
import { problem } from "~/http/problem.server";
import type { SessionUser } from "~/sessions/types";
import type { z } from "zod";
import { messageSchema } from "~/chat/api-schemas";
import type { Refusal } from "~/chat/chat.server";
import type { MessageView } from "~/chat/messages.server";

/**
 * The page cursor in `?name=`: absent or empty is the first page. One that does not decode is a 400: answering
 * the first page again (as it did) sends a client that pages until `next` is null round in a loop.
 */
export function pageCursor<T>(name: string, token: string | null, decode: (token: string) => T | null): T | null {
  if (!token) return null;
  const cursor = decode(token);
  if (!cursor) {
    throw problem(400, "invalid_cursor", "Bad request", {
      detail: `?${name}= takes a cursor from a previous page of this list, unchanged.`,
    });
  }
  return cursor;
}

/** The signed-in user for an API call, or a 401 problem (the session cookie authenticates the API). */
export function requireApiUser(context: AppLoadContext): SessionUser {
  if (!context.auth.user) throw problem(401, "unauthenticated", "Sign in first");
  return context.auth.user;
}

export function notFoundProblem(): Response {
  return problem(404, "not_found", "Conversation not found");
}

export function quotaProblem(refusal: Refusal): Response {
  return problem(429, refusal.reason === "rate" ? "rate_limited" : "token_budget_exhausted", "Too many requests", {
    detail: refusal.message,
    headers: { "Retry-After": String(refusal.retryAfterSeconds) },
  });
}

/** Reads a JSON body; a malformed one is the client's mistake (400), never a 500. */
export async function readJson(request: Request): Promise<unknown> {
  const text = await request.text();
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    if (error instanceof SyntaxError) throw problem(400, "invalid_json", "The request body is not valid JSON");
    throw error;
  }
}

export function invalidProblem(issues: z.core.$ZodIssue[]): Response {
  return problem(422, "invalid_request", "The request is not valid", {
    detail: issues
      .flatMap((issue) =>
        // Each field the request does not take is named, as a wrong field's own message is.
        issue.code === "unrecognized_keys"
          ? issue.keys.map((key) => `${[...issue.path, key].join(".")}: Not a field this request takes.`)
          : [`${issue.path.join(".") || "body"}: ${issue.message}`],
      )
      .join("; "),
  });
}

export function messageJson(message: MessageView): z.infer<typeof messageSchema> {
  // Parsing keeps only the documented fields (a thread message also carries the page's version list).
  return messageSchema.parse({ ...message, createdAt: message.createdAt.toISOString() });
}
