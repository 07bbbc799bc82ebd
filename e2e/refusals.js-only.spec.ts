/**
 * A refusal made before the page's action (the rate limit, the body limit) as a person with JavaScript
 * meets it: the Remix client reads only Remix's own format, so an HTML 429 page used to surface as
 * "500 Something went wrong". The suite's server runs without rate limits, so this spec starts a second
 * ARES on the same database with a small write limit.
 */
import { expect, test } from "@playwright/test";
import { startServer, type ServerProcess } from "../tests/support/server-process";
import { e2eDatabaseUrl } from "./support/admin";
import { signUp, uniqueEmail, untilInteractive } from "./support/session";

let limited: ServerProcess;

test.beforeAll(async ({ baseURL }) => {
  limited = await startServer({ DATABASE_URL: e2eDatabaseUrl(baseURL!), RATE_LIMIT_WRITE_PER_MINUTE: "4" });
});
test.afterAll(async () => {
  await limited?.stop();
});

test("over the write limit, saving a fact stays on the page with what was typed and the wait (429), not that something went wrong", async ({
  page,
}) => {
  await signUp(page, { email: uniqueEmail("refused"), origin: limited.url });

  await page.goto(`${limited.url}/memory`);
  await untilInteractive(page);
  const form = page.getByRole("form", { name: "Add a fact" });
  let refused = false;
  let attempt = 0;
  for (; attempt < 8 && !refused; attempt++) {
    await form.getByLabel("Kind").selectOption("professional");
    await form.getByLabel("Key").fill(`key${attempt}`);
    await form.getByLabel("Value").fill(`value typed ${attempt}`);
    const answer = page.waitForResponse((response) => response.request().method() === "POST");
    await form.getByRole("button", { name: "Add fact" }).click();
    const response = await answer;
    refused = response.status() === 429;
    // Remix's own format, which its client reads: an HTML page here surfaced as "500 Something went wrong".
    if (refused) expect(response.headers()["content-type"]).toContain("text/x-script");
    else await expect(page.getByRole("status").filter({ hasText: "Fact saved." })).toBeVisible();
  }
  expect(refused).toBe(true);
  await expect(page.getByRole("alert")).toContainText(
    /You have sent a lot of requests in a short time\. Try again in \d+ s\./,
  );
  await expect(form.getByLabel("Value")).toHaveValue(`value typed ${attempt - 1}`);
  await expect(page.getByText("Something went wrong")).toHaveCount(0);
});

test("over the write limit, saving the profile stays on the page with the name typed and the wait (429), not the 429 page", async ({
  page,
}) => {
  await signUp(page, { email: uniqueEmail("profile-refused"), origin: limited.url });
  // This person's writes for the minute, used up in another tab.
  for (let i = 0; i < 4; i++)
    await page.request.post(`${limited.url}/theme`, { form: { theme: "dark" }, headers: { origin: limited.url } });
  await page.goto(`${limited.url}/settings/profile`);
  await untilInteractive(page);
  await page.getByLabel("Name").fill("Refused Name");
  const answer = page.waitForResponse((response) => response.request().method() === "POST");
  await page.getByRole("button", { name: "Save profile" }).click();
  const response = await answer;
  expect(response.status()).toBe(429);
  expect(response.headers()["content-type"]).toContain("text/x-script");
  await expect(page.getByRole("alert")).toContainText(
    /You have sent a lot of requests in a short time\. Try again in \d+ s\./,
  );
  await expect(page.getByLabel("Name")).toHaveValue("Refused Name");
  await expect(page.getByRole("heading", { name: "Too many requests" })).toHaveCount(0);
  await expect(page.getByText("Something went wrong")).toHaveCount(0);
});

test("over the write limit, a form without a page of its own for it (notifications) says to slow down (429), not that something went wrong", async ({
  page,
}) => {
  await signUp(page, { email: uniqueEmail("notifications-refused"), origin: limited.url });
  // This person's writes for the minute, used up in another tab.
  for (let i = 0; i < 4; i++)
    await page.request.post(`${limited.url}/theme`, { form: { theme: "dark" }, headers: { origin: limited.url } });
  await page.goto(`${limited.url}/settings/notifications`);
  await untilInteractive(page);
  const answer = page.waitForResponse((response) => response.request().method() === "POST");
  await page.getByRole("button", { name: "Save" }).click();
  const response = await answer;
  expect(response.status()).toBe(429);
  expect(response.headers()["content-type"]).toContain("text/x-script");
  await expect(page.getByRole("heading", { level: 1, name: "Too many requests" })).toBeVisible();
  await expect(page.getByText(/Please wait \d+ seconds and try again/)).toBeVisible();
  await expect(page.getByText("Something went wrong")).toHaveCount(0);
});

test("over the write limit, a chat send stays on the page with the message kept and the wait, not the 429 page", async ({
  page,
}) => {
  await signUp(page, { email: uniqueEmail("chat-refused"), origin: limited.url });
  // This person's writes for the minute, used up in another tab.
  for (let i = 0; i < 4; i++)
    await page.request.post(`${limited.url}/theme`, { form: { theme: "dark" }, headers: { origin: limited.url } });
  await page.goto(`${limited.url}/chat`);
  await untilInteractive(page);
  await page.getByLabel("Message").fill("kept through the refusal");
  const answer = page.waitForResponse((response) => response.request().method() === "POST");
  await page.getByRole("button", { name: "Send" }).click();
  expect((await answer).status()).toBe(429);
  await expect(page.getByRole("alert")).toContainText(
    /You have sent a lot of requests in a short time\. Try again in \d+ s\./,
  );
  await expect(page.getByLabel("Message")).toHaveValue("kept through the refusal");
  await expect(page.getByRole("heading", { name: "Too many requests" })).toHaveCount(0);
  expect(new URL(page.url()).pathname).toBe("/chat");
});

test("an .ics file over the import limit is stopped in the page, with a message, before it is sent", async ({
  page,
}) => {
  await signUp(page, { email: uniqueEmail("bigfile"), origin: limited.url });

  await page.goto(`${limited.url}/calendar`);
  await untilInteractive(page);
  await page.getByText("Import, export and subscribe").click();
  const input = page.getByLabel(/Import an \.ics file/);
  await input.setInputFiles({ name: "big.ics", mimeType: "text/calendar", buffer: Buffer.alloc(2_500_000, "A") });
  let posted = false;
  page.on("request", (request) => {
    if (request.method() === "POST") posted = true;
  });
  await page.getByRole("button", { name: "Import", exact: true }).click();
  expect(await input.evaluate((element: HTMLInputElement) => element.validationMessage)).toBe(
    "The file is too large: import at most 2 MB at a time.",
  );
  await page.waitForTimeout(500);
  expect(posted).toBe(false);
});
