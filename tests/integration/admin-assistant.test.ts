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
  expect(saved.headers.get("location")).toBe("/admin/assistant");
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

it("a refused save keeps what was typed in its form (without JS the page came back with the stored values)", async () => {
  // Signing up again with a taken address answers the same and signs in: the first account, the admin.
  const admin = await signUp("assistant-admin@example.test");
  const refused = await admin.post("/admin/assistant", {
    intent: "instance",
    relevantSummaries: "99",
    extractionInputTokens: "5000",
    summaryIdleMinutes: "15",
    autoAcceptMinConfidence: "0.5",
    autoAcceptMinImportance: "6",
  });
  expect(refused.status).toBe(400);
  const page = await refused.text();
  expect(page).toContain("Use 0 to 20.");
  const valueOf = (name: string) => new RegExp(`<input name="${name}"[^>]*\\svalue="([^"]*)"`).exec(page)?.[1];
  expect(valueOf("relevantSummaries")).toBe("99");
  expect(valueOf("autoAcceptMinConfidence")).toBe("0.5");
  // Memory was switched off in what was sent (the box unticked): it stays unticked.
  expect(page).toMatch(/<input type="checkbox" name="memoryEnabled" value="on"\/>/);

  const added = await admin.post("/admin/assistant", {
    intent: "save",
    category: "milestone",
    key: "motto",
    value: " ",
  });
  expect(added.status).toBe(400);
  const addedPage = await added.text();
  const form = addedPage.split('aria-label="Add to self-memory"')[1] ?? "";
  expect(form).toMatch(/<input name="key"[^>]*value="motto"/);
  expect(form).toMatch(/<option value="milestone" selected="">/);
});
