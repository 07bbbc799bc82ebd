/**
 * The connection to PostgreSQL is lost the moment a send's COMMIT was applied, before its answer came
 * back (a network fault: the message is stored, ARES cannot know it). ARES must stay up, answer the
 * send with a clear "try again" (never a 500), leave no reply `streaming` (the reply's row exists, so it
 * is settled), and send the next message normally.
 */
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startChatHarness, signedInClient, readEvents, type ChatHarness } from "../support/chat-harness";
import { startCommitCutProxy, type CommitCutProxy } from "../support/pg-commit-cut-proxy";

let proxy: CommitCutProxy;
let harness: ChatHarness;
let db: pg.Client;

beforeAll(async () => {
  proxy = await startCommitCutProxy(process.env.DATABASE_URL!);
  harness = await startChatHarness({ DATABASE_URL: proxy.url });
  db = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await db.connect();
}, 180_000);

afterAll(async () => {
  await db?.end();
  await harness?.stop();
  await proxy?.close();
});

async function statuses(conversationId: string) {
  const { rows } = await db.query<{ role: string; status: string; content: string }>(
    `SELECT role, status, content FROM "Message" WHERE "conversationId" = $1 ORDER BY "createdAt", role DESC`,
    [conversationId],
  );
  return rows;
}

it("a send whose COMMIT answer is lost: the process stays up, the reply is settled, the next send works", async () => {
  const client = await signedInClient(harness.server.url);
  const created = await client.postJson("/api/v1/conversations", {});
  expect(created.status).toBe(201);
  const { id: conversationId } = (await created.json()) as { id: string };

  proxy.armAfterCommitOf('INSERT INTO "Message"');
  const lost = await client.postJson(`/api/v1/conversations/${conversationId}/messages`, { content: "first" });
  expect(proxy.cuts).toBe(1);
  // The person is told to try again, in the API's own error shape.
  expect(lost.status).toBe(503);
  expect(lost.headers.get("content-type")).toMatch(/application\/problem\+json/);
  expect(lost.headers.get("retry-after")).toBeTruthy();

  // The COMMIT was applied: the message is there, and its reply does not stay `streaming`.
  await expect
    .poll(async () => (await statuses(conversationId)).map(({ role, status }) => `${role}:${status}`), {
      timeout: 10_000,
    })
    .toEqual(["user:complete", expect.stringMatching(/^(assistant|error):(error|complete)$/)]);

  // ARES is still up and the next send streams its reply as usual.
  const next = await client.postJson(
    `/api/v1/conversations/${conversationId}/messages`,
    { content: "second" },
    { accept: "text/event-stream" },
  );
  expect(next.status).toBe(200);
  const events = await readEvents(next);
  expect(events.at(-1)).toMatchObject({ event: "done", data: { status: "complete" } });
  expect(proxy.cuts).toBe(1);
});
