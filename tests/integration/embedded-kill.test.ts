/**
 * `npm start` on the embedded database, killed (SIGKILL: the OOM killer, a power cut of the container)
 * while a reply is being written, then started again on the same data folder: it starts (the lock of the
 * dead process is not taken for a live one), the message sent is there, and the half-written reply is
 * settled at once as stopped with its text kept — not left "being written" (Retry and Edit refused) for
 * the minute a shared database's heartbeat wait takes.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startStubLlm, type StubLlm } from "../../e2e/stand-ins/llm-server";
import { readEvents, signedInClient } from "../support/chat-harness";
import { ensureBuild, startServer, type ServerProcess } from "../support/server-process";

let llm: StubLlm;
let dataDir: string;
const servers: ServerProcess[] = [];

beforeAll(async () => {
  await ensureBuild();
  llm = await startStubLlm({ name: "openrouter", behaviour: { tokenDelayMs: 2 } });
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "ares-killed-"));
}, 120_000);

afterAll(async () => {
  for (const server of servers)
    if (server.child.exitCode === null && server.child.signalCode === null) await server.stop();
  await llm?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

type Listed = { messages: Array<{ role: string; content: string; status: string }> };

it(
  "settles a reply cut by SIGKILL as soon as it starts again on the same data folder",
  { timeout: 120_000 },
  async () => {
    const env = { ARES_DATA_DIR: dataDir, OPENROUTER_API_KEY: "test", OPENROUTER_BASE_URL: `${llm.url}/v1` };
    const first = await startServer(env);
    servers.push(first);
    const client = await signedInClient(first.url);
    const { id } = (await (await client.postJson("/api/v1/conversations", {})).json()) as { id: string };
    const streaming = await client.postJson(
      `/api/v1/conversations/${id}/messages`,
      // 400 words at 300 ms each: two minutes, far longer than a loaded machine needs to get to the kill.
      { content: `[[stub:delay=300]][[reply:${"word ".repeat(400)}]] a long answer, one word at a time` },
      { accept: "text/event-stream" },
    );
    expect(streaming.status).toBe(200);
    // A few words in (the growing text is stored as it comes), then the process is killed.
    const events = await readEvents(streaming, 4);
    expect(events.some((event) => event.event === "token")).toBe(true);
    // Until some of the growing text is stored (it is written as it comes, every so often).
    let stored = "";
    for (let attempt = 0; attempt < 150 && stored === ""; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 200));
      const listing = (await (await client.get(`/api/v1/conversations/${id}/messages`)).json()) as Listed;
      stored = listing.messages.find((message) => message.role === "assistant")?.content ?? "";
    }
    expect(stored).not.toBe("");
    const exited = new Promise((resolve) => first.child.once("close", resolve));
    first.child.kill("SIGKILL");
    await exited;

    const second = await startServer(env);
    servers.push(second);
    // The same session cookie: it lives in the data folder too.
    const again = {
      get: (address: string) => fetch(new URL(address, second.url), { headers: { cookie: client.jar.header() } }),
    };
    const response = await again.get(`/api/v1/conversations/${id}/messages`);
    expect(response.status).toBe(200);
    let listed = (await response.json()) as Listed;
    for (let attempt = 0; attempt < 25 && listed.messages.at(-1)?.status === "streaming"; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      listed = (await (await again.get(`/api/v1/conversations/${id}/messages`)).json()) as Listed;
    }
    expect(listed.messages.map(({ role }) => role)).toEqual(["user", "assistant"]);
    expect(listed.messages[0]!.content).toContain("a long answer");
    expect(listed.messages[1]!.status).toBe("aborted");
    expect(listed.messages[1]!.content.length).toBeGreaterThan(0);
    expect(await second.stop()).toBe(0);
  },
);
