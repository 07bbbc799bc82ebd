import { browserClient } from "../support/cookie-jar";

export type Outcome = { at: number; status: number | "reset"; ms: number; what: string };

/** Records every request: its status (or "reset" when the connection failed) and how long it took. */
export class Recorder {
  readonly outcomes: Outcome[] = [];

  async time(what: string, run: () => Promise<Response>): Promise<Response | undefined> {
    const started = performance.now();
    try {
      const response = await run();
      // The body is read so that a connection cut mid-answer counts as a reset.
      await response.arrayBuffer();
      this.outcomes.push({ at: Date.now(), status: response.status, ms: performance.now() - started, what });
      return response;
    } catch {
      this.outcomes.push({ at: Date.now(), status: "reset", ms: performance.now() - started, what });
      return undefined;
    }
  }

  statuses(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const { status } of this.outcomes) counts[String(status)] = (counts[String(status)] ?? 0) + 1;
    return counts;
  }
}

export function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? Number.NaN;
}

let counter = 0;

/** A new account with one conversation, driven through the JSON API as a client app would. */
export async function newSender(baseUrl: string) {
  const client = browserClient(baseUrl);
  const email = `fault-${Date.now().toString(36)}-${++counter}@example.test`;
  const signup = await client.post("/signup", { email, password: "correct horse battery staple" });
  if (signup.status !== 302) throw new Error(`signup failed: ${signup.status}`);
  // Sign-up never signs in (it answers the same for taken addresses): sign in as a person would.
  const login = await client.post("/login", { email, password: "correct horse battery staple" });
  if (login.status !== 302) throw new Error(`sign-in failed: ${login.status}`);
  const created = await client.postJson("/api/v1/conversations", {});
  if (created.status !== 201) throw new Error(`conversation not created: ${created.status} ${await created.text()}`);
  const { id } = (await created.json()) as { id: string };
  return { client, conversationId: id };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
