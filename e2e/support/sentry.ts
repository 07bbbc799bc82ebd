import fs from "node:fs";
import path from "node:path";
import { RECORDED_PATH, type Envelope } from "../stand-ins/sentry-server";

const root = path.resolve(import.meta.dirname, "../..");

/** The stand-in Sentry ingest the e2e server reports to (started by e2e/support/start-server.ts). */
export function e2eSentryUrl(baseURL: string): string {
  return fs.readFileSync(path.join(root, ".e2e", `sentry-url-${new URL(baseURL).port}`), "utf8").trim();
}

/** Every envelope the e2e server and its pages have sent so far, in arrival order. */
export async function recordedEnvelopes(baseURL: string): Promise<Envelope[]> {
  const response = await fetch(`${e2eSentryUrl(baseURL)}${RECORDED_PATH}`);
  return (await response.json()) as Envelope[];
}
