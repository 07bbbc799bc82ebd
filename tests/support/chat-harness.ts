import { startStubLlm, type StubLlm } from "../../e2e/stand-ins/llm-server";
import { browserClient } from "./cookie-jar";
import { startServer, type ServerProcess, ensureBuild } from "./server-process";

export type ChatHarness = {
  server: ServerProcess;
  openrouter: StubLlm;
  ollama: StubLlm;
  stop: () => Promise<void>;
};

/** The built server with two stand-in providers: "openrouter" (primary) and "ollama" (fallback). */
export async function startChatHarness(env: Record<string, string> = {}): Promise<ChatHarness> {
  await ensureBuild();
  const [openrouter, ollama] = await Promise.all([
    startStubLlm({ name: "openrouter", behaviour: { tokenDelayMs: 2 } }),
    startStubLlm({ name: "ollama", behaviour: { tokenDelayMs: 2 } }),
  ]);
  const server = await startServer({
    DATABASE_URL: process.env.DATABASE_URL!,
    NODE_ENV: "test",
    ARES_SKIP_MIGRATIONS: "true",
    OPENROUTER_API_KEY: "test-key",
    OPENROUTER_BASE_URL: `${openrouter.url}/v1`,
    OPENROUTER_MODEL: "stub/small",
    OLLAMA_URL: ollama.url,
    OLLAMA_MODEL: "stub/large",
    LLM_PRIMARY_PROVIDER: "openrouter",
    LLM_REQUEST_TIMEOUT_MS: "3000",
    CHAT_MESSAGES_PER_MINUTE: "100",
    ...env,
  });
  return {
    server,
    openrouter,
    ollama,
    stop: async () => {
      await server.stop();
      await Promise.all([openrouter.close(), ollama.close()]);
    },
  };
}

let counter = 0;

/** An address no other test signs up with. */
export const newChatEmail = () => `chat-${Date.now().toString(36)}-${++counter}@example.test`;

/** A new account, signed in; returns a browser-like client. `email`: when the test looks the account up by it. */
export async function signedInClient(baseUrl: string, email = newChatEmail()) {
  const client = browserClient(baseUrl);
  const password = "correct horse battery staple";
  await client.post("/signup", { email, password });
  // Sign-up never signs in (it answers the same for taken addresses): sign in as a person would.
  const response = await client.post("/login", { email, password });
  if (response.status !== 302) throw new Error(`sign-in after sign-up failed: ${response.status}`);
  return client;
}

export type SseEvent = { event: string; data: Record<string, unknown> };

/** Reads a Server-Sent Events response until `done` (or `stopAfter` events), returning what arrived. */
export async function readEvents(response: Response, stopAfter = Number.POSITIVE_INFINITY): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let boundary: number;
    while ((boundary = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, boundary);
      buffer = buffer.slice(boundary + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (!event || !data) continue;
      events.push({ event, data: JSON.parse(data) as Record<string, unknown> });
      if (event === "done" || events.length >= stopAfter) {
        await reader.cancel();
        return events;
      }
    }
  }
  return events;
}

/** The id of the newest message on a conversation page. */
export function lastMessageId(html: string): string {
  const ids = [...html.matchAll(/id="m-([a-z0-9-]+)"/g)].map((match) => match[1]!);
  const id = ids.at(-1);
  if (!id) throw new Error("no message on the page");
  return id;
}
