/**
 * Validation messages people read: plain English, never zod's developer wording ("Too big: expected
 * string to have <=200 characters", "Invalid discriminator value. Expected 'add-fact' | …").
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { httpRequest } from "../support/ops";
import { startServer, type ServerProcess, ensureBuild } from "../support/server-process";

const password = "correct horse battery staple";
let server: ServerProcess;
let cookie = "";

beforeAll(async () => {
  await ensureBuild();
  server = await startServer({
    DATABASE_URL: process.env.DATABASE_URL,
    ARES_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), "ares-form-messages-")),
    ARES_SKIP_MIGRATIONS: "true",
  });
  const email = `form-messages-${Date.now().toString(36)}@example.test`;
  const form = { "content-type": "application/x-www-form-urlencoded" };
  await httpRequest(`${server.url}/signup`, {
    method: "POST",
    headers: form,
    body: new URLSearchParams({ email, password }).toString(),
  });
  const login = await httpRequest(`${server.url}/login`, {
    method: "POST",
    headers: form,
    body: new URLSearchParams({ email, password }).toString(),
  });
  cookie = String(login.headers["set-cookie"]?.[0]?.split(";")[0]);
}, 180_000);
afterAll(() => server?.stop());

function post(address: string, fields: Array<[string, string]>) {
  return httpRequest(`${server.url}${address}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie },
    body: new URLSearchParams(fields).toString(),
  });
}

const DEVELOPER_TEXT = /Too big|Too small|Invalid (discriminator|option|input)|expected (one of|string|number)/;

const EVENT: Array<[string, string]> = [
  ["title", "Dentist appointment"],
  ["startDate", "2027-03-01"],
  ["startTime", "09:00"],
  ["endDate", "2027-03-01"],
  ["endTime", "10:00"],
  ["timeZone", "Europe/Berlin"],
];

describe("validation messages in plain English", () => {
  it("calendar: too many reminders, an unknown monthly option or weekday each get a message, and the title stays", async () => {
    const reminders = Array.from({ length: 80 }, (_, index) => index + 1).join(", ");
    const tooLong = await post("/calendar/new", [...EVENT, ["reminders", reminders]]);
    expect(tooLong.status).toBe(400);
    expect(tooLong.body).toContain("Use at most 200 characters");
    expect(tooLong.body).not.toMatch(DEVELOPER_TEXT);

    const monthly = await post("/calendar/new", [...EVENT, ["repeat", "MONTHLY"], ["monthlyBy", "monthday"]]);
    expect(monthly.status).toBe(400);
    expect(monthly.body).toContain("Choose whether it repeats on the same date or the same weekday.");
    expect(monthly.body).not.toMatch(DEVELOPER_TEXT);

    const weekday = await post("/calendar/new", [...EVENT, ["repeat", "WEEKLY"], ["weekdays", "XX"]]);
    expect(weekday.status).toBe(400);
    expect(weekday.body).toContain("Choose the days of the week from the list (Monday to Sunday).");
    expect(weekday.body).toContain('value="Dentist appointment"');
  });

  it("a form with an intent no page sends says the form is out of date (memory, chat)", async () => {
    const memory = await post("/memory", [["intent", "nonsense"]]);
    expect(memory.status).toBe(400);
    expect(memory.body).toContain("This form is out of date — reload the page and try again.");
    expect(memory.body).not.toMatch(DEVELOPER_TEXT);
    const noIntent = await post("/memory", [["key", "a"]]);
    expect(noIntent.status).toBe(400);
    expect(noIntent.body).not.toMatch(DEVELOPER_TEXT);
  });

  it("a bad intent to a conversation that does not exist is a 404 (it was 400)", async () => {
    const missing = await post("/chat/does-not-exist", [["intent", "nonsense"]]);
    expect(missing.status).toBe(404);
  });
});

describe("form hints are read with their fields", () => {
  it("every hint (an id ending in -hint) on the form pages is named by some field's aria-describedby", async () => {
    const pages = [
      ["/signup", false],
      ["/calendar/new", true],
      ["/calendar/subscriptions", true],
      ["/settings/password", true],
      ["/settings/profile", true],
      ["/settings/assistant", true],
    ] as const;
    const unreferenced: string[] = [];
    for (const [address, signedIn] of pages) {
      const page = await httpRequest(`${server.url}${address}`, { headers: signedIn ? { cookie } : {} });
      expect(page.status, address).toBe(200);
      const hints = [...page.body.matchAll(/\sid="([^"]+-hint)"/g)].map((match) => match[1]!);
      const described = new Set(
        [...page.body.matchAll(/aria-describedby="([^"]+)"/g)].flatMap((match) => match[1]!.split(/\s+/)),
      );
      unreferenced.push(...hints.filter((hint) => !described.has(hint)).map((hint) => `${address}: ${hint}`));
    }
    expect(unreferenced).toEqual([]);
  });
});
