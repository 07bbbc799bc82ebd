/**
 * The connection to PostgreSQL is lost the moment a send's COMMIT was applied, before its answer came
 * back (a network fault: the message is stored, but the COMMIT's answer never says so). ARES must stay
 * up, find the message stored and answer the send as such (never a 500, nor a "try again" that would
 * store it twice), leave no reply `streaming` (it is settled as failed, with Retry), and send the next
 * message normally.
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
  // The COMMIT was applied, and ARES finds so: the send is answered as stored (telling the person to send
  // it again would store it twice).
  expect(lost.status).toBe(202);
  const { userMessageId } = (await lost.json()) as { userMessageId: string };
  expect(userMessageId).toBeTruthy();

  // The message is there once, and its reply does not stay `streaming`: it failed, and offers Retry.
  await expect
    .poll(async () => (await statuses(conversationId)).map(({ role, status }) => `${role}:${status}`), {
      timeout: 10_000,
    })
    .toEqual(["user:complete", expect.stringMatching(/^(assistant|error):error$/)]);

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
