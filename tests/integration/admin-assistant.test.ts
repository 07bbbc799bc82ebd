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

  // SQL and HTML metacharacters are stored as text; in a key they break words, as a space does (memory/keys.ts).
  const odd = `default¿'"(`;
  expect((await admin.post("/admin/assistant", { ...add, key: `${odd} key`, value: odd })).status).toBe(302);
  const page = await (await admin.get("/admin/assistant")).text();
  expect(page).toContain("default¿&#x27;&quot;(");
  expect(page).toMatch(/name="key" value="default_key"/);

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
  const valueOf = (name: string) => new RegExp(`<input[^>]*\\sname="${name}"[^>]*\\svalue="([^"]*)"`).exec(page)?.[1];
  expect(valueOf("relevantSummaries")).toBe("99");
  expect(valueOf("autoAcceptMinConfidence")).toBe("0.5");
  // Memory was switched off in what was sent (the box unticked): it stays unticked.
  const checkbox = /<input[^>]*name="memoryEnabled"[^>]*>/.exec(page)?.[0];
  expect(checkbox).toBeDefined();
  expect(checkbox).not.toContain("checked");

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

it("out-of-range settings are named beside their fields, and a form without an intent gets a plain message", async () => {
  const admin = await signUp("assistant-admin@example.test");
  const refused = await admin.post("/admin/assistant", {
    intent: "instance",
    relevantSummaries: "3",
    extractionInputTokens: "1e20",
    summaryIdleMinutes: "999999999",
    autoAcceptMinConfidence: "0.5",
    autoAcceptMinImportance: "6",
  });
  expect(refused.status).toBe(400);
  const page = await refused.text();
  const input = (name: string) => new RegExp(`<input[^>]*\\sname="${name}"[^>]*>`).exec(page)?.[0] ?? "";
  const errorFor = (name: string) => {
    // Described by its error (and its hint).
    const describedBy =
      /aria-describedby="([^"]+)"/
        .exec(input(name))?.[1]
        ?.split(" ")
        .find((id) => id.endsWith("-error")) ?? "";
    return new RegExp(`id="${describedBy}"[^>]*>([^<]*)<`).exec(page)?.[1];
  };
  // Every whole-number setting has its range as a hint (the decimal one in its label, as Top-p's),
  // written without the thousands separator these fields refuse.
  for (const hint of ["0 to 20.", "200 to 100000.", "1 to 10080 (a week).", "1 to 10."]) {
    expect(page).toContain(`>${hint}<`);
  }
  expect(input("autoAcceptMinImportance")).toMatch(/aria-describedby="[^"]*-hint/);
  // The self-memory importance is typed as text too ("1,5" in a number field reached the server as "").
  expect(page).not.toMatch(/<input[^>]*type="number"/);
  expect(page).toMatch(/<input name="importance" type="text" inputMode="numeric"/);
  for (const name of ["extractionInputTokens", "summaryIdleMinutes"]) {
    expect(input(name), name).toContain('aria-invalid="true"');
    // Typed as text ("1,000" in a number field reached the server as ""): the range is in the hint.
    expect(input(name), name).toMatch(/\stype="text"[^>]*\sinputMode="numeric"/);
  }
  expect(errorFor("summaryIdleMinutes")).toBe("Use 1 to 10080 minutes (a week).");
  expect(page).toContain("200 to 100000.");
  // "1e20" is not a number a person types: asked for one, not told a range it was read as exceeding.
  expect(errorFor("extractionInputTokens")).toBe("Enter a number.");
  expect(input("relevantSummaries")).not.toContain("aria-invalid");
  expect(input("summaryIdleMinutes")).toContain('value="999999999"');
  expect(input("extractionInputTokens")).toContain('value="1e20"');

  for (const intent of [undefined, "nonsense"]) {
    const sent = await admin.post("/admin/assistant", intent ? { intent } : { relevantSummaries: "3" });
    expect(sent.status, String(intent)).toBe(400);
    const text = await sent.text();
    expect(text).toContain("Choose what to do: this form was not sent by ARES&#x27;s page.");
    expect(text).not.toContain("discriminator");
  }
});
