/**
 * /admin/assistant: an admin adds, changes and deletes what ARES knows about itself (self-memory);
 * others are refused. Found by the wapiti scan: every save answered 500.
 */
import { expect, it } from "vitest";
import { type Client, serverForThisFile, signedUp } from "../support/app-server";

const server = serverForThisFile({ OLLAMA_URL: "http://127.0.0.1:9" });
const signUp = (email: string) => signedUp(server.url, email);

const listed = async (client: Client) =>
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
