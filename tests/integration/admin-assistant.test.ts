/**
 * /admin/assistant: an admin adds, changes and deletes what ARES knows about itself (self-memory);
 * others are refused. Found by the wapiti scan: every save answered 500.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { browserClient } from "../support/cookie-jar";
import { ensureBuild, startServer, type ServerProcess } from "../support/server-process";

let server: ServerProcess;
beforeAll(async () => {
  await ensureBuild();
  server = await startServer({
    DATABASE_URL: process.env.DATABASE_URL,
    NODE_ENV: "test",
    ARES_SKIP_MIGRATIONS: "true",
    OLLAMA_URL: "http://127.0.0.1:9",
  });
}, 180_000);
afterAll(() => server?.stop());

async function signUp(email: string) {
  const client = browserClient(server.url);
  expect((await client.post("/signup", { email, password: "correct horse battery staple" })).status).toBe(302);
  expect((await client.post("/login", { email, password: "correct horse battery staple" })).status).toBe(302);
  return client;
}

const listed = async (client: Awaited<ReturnType<typeof signUp>>) =>
  [
    ...(await (await client.get("/admin/assistant")).text()).matchAll(/<input name="value"[^>]*?\svalue="([^"]*)"/g),
  ].map((match) => match[1]);

it("an admin adds, changes and deletes self-memory; a member is refused", async () => {
  const admin = await signUp("assistant-admin@example.test");
  const add = { intent: "save", category: "identity", key: "Name", value: "ARES, the assistant", importance: "8" };
  const saved = await admin.post("/admin/assistant", add);
  expect(saved.status).toBe(302);
  expect(saved.headers.get("location")).toBe("/admin/assistant?saved=1");
  expect(await listed(admin)).toEqual(["ARES, the assistant"]);

  // The same category and key (normalized) changes the entry instead of adding one.
  expect((await admin.post("/admin/assistant", { ...add, key: " name ", value: "ARES" })).status).toBe(302);
  expect(await listed(admin)).toEqual(["ARES"]);

  // SQL and HTML metacharacters in the key are stored as text.
  expect((await admin.post("/admin/assistant", { ...add, key: `default¿'"(`, value: "odd key" })).status).toBe(302);
  const page = await (await admin.get("/admin/assistant")).text();
  expect(page).toContain("default¿&#x27;&quot;(");

  const id = /name="id" value="([^"]+)"/.exec(page)?.[1];
  expect((await admin.post("/admin/assistant", { intent: "delete", id: id! })).status).toBe(302);
  expect(await listed(admin)).toHaveLength(1);

  const member = await signUp("assistant-member@example.test");
  expect((await member.post("/admin/assistant", add)).status).toBe(403);
});
