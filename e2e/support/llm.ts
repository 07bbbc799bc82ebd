import fs from "node:fs";
import path from "node:path";
import type { RecordedRequest } from "../stand-ins/llm-server";

const root = path.resolve(import.meta.dirname, "../..");

/** The stand-in primary model provider ("openrouter") of the e2e server (started by e2e/support/start-server.ts). */
function e2eLlmUrl(baseURL: string): string {
  return fs.readFileSync(path.join(root, ".e2e", `llm-url-${new URL(baseURL).port}`), "utf8").trim();
}

type ChatTurn = { role: string; content: string | null };

/** The chat requests the primary provider has received (newest last), as their message lists. */
export async function receivedChats(baseURL: string): Promise<ChatTurn[][]> {
  const response = await fetch(`${e2eLlmUrl(baseURL)}/__stub/requests`);
  const { requests } = (await response.json()) as { requests: RecordedRequest[] };
  return requests
    .filter((request) => request.method === "POST" && request.path.endsWith("/chat/completions"))
    .map((request) => (request.body as { messages: ChatTurn[] }).messages);
}

/**
 * Makes the primary provider answer every chat request with `reply` (documentation screenshots show a
 * person's plain question, not a stand-in marker); `undefined` restores the stand-in's start options.
 */
export async function setFixedReply(baseURL: string, reply: string | undefined): Promise<void> {
  const url = e2eLlmUrl(baseURL);
  const response =
    reply === undefined
      ? await fetch(`${url}/__stub/reset`, { method: "POST" })
      : await fetch(`${url}/__stub/behaviour`, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ reply }),
        });
  if (!response.ok) throw new Error(`the stand-in LLM refused the behaviour: ${response.status}`);
}
