import type { Response as ExpressResponse } from "express";
import { z } from "zod";

/**
 * RFC 9457 problem details: every /api error is `application/problem+json` with a stable,
 * machine-readable `code` next to the human `title`, so clients branch on `code`, never on text.
 */
export const PROBLEM_CONTENT_TYPE = "application/problem+json";
/**
 * The Content-Type header of every problem answer: with the charset Express adds to any text it sends,
 * so that an answer from Remix (a Response) says the same as one from Express middleware.
 */
const PROBLEM_CONTENT_TYPE_HEADER = `${PROBLEM_CONTENT_TYPE}; charset=utf-8`;

export const problemSchema = z.object({
  type: z.string().describe("A URI naming the problem type; about:blank when the status says it all"),
  title: z.string(),
  status: z.number().int().min(400).max(599),
  code: z.string().describe("Stable, machine-readable error code, e.g. rate_limited or unauthorized"),
  detail: z.string().optional(),
});
type Problem = z.infer<typeof problemSchema>;

export function problemDetails(status: number, code: string, title: string, detail?: string): Problem {
  return { type: "about:blank", title, status, code, ...(detail ? { detail } : {}) };
}

/** A problem+json Response for Remix loaders and actions (throw it or return it). */
export function problem(
  status: number,
  code: string,
  title: string,
  options: { detail?: string; headers?: HeadersInit } = {},
): Response {
  const headers = new Headers(options.headers);
  headers.set("Content-Type", PROBLEM_CONTENT_TYPE_HEADER);
  headers.set("Cache-Control", "no-store");
  return new Response(JSON.stringify(problemDetails(status, code, title, options.detail)), { status, headers });
}

/** The same problem answered by Express middleware, before Remix runs. */
export function sendProblem(res: ExpressResponse, status: number, code: string, title: string, detail?: string): void {
  res
    .status(status)
    .set("Content-Type", PROBLEM_CONTENT_TYPE_HEADER)
    .send(JSON.stringify(problemDetails(status, code, title, detail)));
}
