import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { withE2eDatabase } from "./support/admin";
import { expectNotice, signUp, untilInteractive } from "./support/session";

/**
 * The pages that hand back what was typed (a message sent after the session ended, an edit of an event
 * deleted meanwhile) on a 390 px phone, JS on and off: within the page, and nothing axe calls serious.
 */

async function expectFitsAndAccessible(page: Page) {
  const [scrollWidth, clientWidth] = await page.evaluate(() => [
    document.documentElement.scrollWidth,
    document.documentElement.clientWidth,
  ]);
  expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
  const checked = await scriptable(page);
  const { violations } = await new AxeBuilder({ page: checked }).analyze();
  if (checked !== page) await checked.context().close();
  const serious = violations.filter((violation) => ["serious", "critical"].includes(violation.impact ?? ""));
  expect(serious.map((violation) => `${violation.id}: ${violation.help}`)).toEqual([]);
}

/**
 * axe is a script, which a no-JS page cannot run, and these pages answer a POST (a GET shows another
 * page): without JS, the same markup in a page with scripting on, at the same origin and size, whose
 * requests for the app's scripts are refused.
 */
async function scriptable(page: Page): Promise<Page> {
  if (test.info().project.use.javaScriptEnabled !== false) return page;
  const { viewport, isMobile, hasTouch, deviceScaleFactor } = test.info().project.use;
  const context = await page
    .context()
    .browser()!
    .newContext({ javaScriptEnabled: true, viewport, isMobile, hasTouch, deviceScaleFactor });
  const copy = await context.newPage();
  await copy.route(/\.m?js(\?.*)?$/, (route) => route.abort());
  await copy.goto(new URL("/api/v1/health/live", page.url()).href);
  await copy.setContent(await page.content(), { waitUntil: "load" });
  return copy;
}

const endSessions = (email: string, baseURL: string) =>
  withE2eDatabase(baseURL, (client) =>
    client.query(`UPDATE "Session" SET "revokedAt" = now() WHERE "userId" = (SELECT id FROM "User" WHERE email = $1)`, [
      email,
    ]),
  );

test("a message sent after the session ended is shown back, within the page", async ({ page, baseURL }) => {
  const email = await signUp(page);
  await page.goto("/chat");
  await untilInteractive(page);
  const text = `A long unsent message ${"with many words ".repeat(30)}and ${"x".repeat(120)}`;
  await page.getByRole("textbox", { name: "Message", exact: true }).fill(text);
  await endSessions(email, baseURL!);
  await page.getByRole("button", { name: "Send" }).click();
  if (test.info().project.use.javaScriptEnabled === false) {
    await expect(page.getByRole("textbox", { name: "Your message (not sent)" })).toHaveValue(text);
    const signIn = (await page.getByRole("link", { name: "Sign in again" }).boundingBox())!;
    expect(signIn.height).toBeGreaterThanOrEqual(24);
  } else {
    // With JS the draft is kept in the browser (chat-drafts.js-only.spec.ts): the sign-in page.
    await expect(page).toHaveURL(/\/login\?/);
  }
  await expectFitsAndAccessible(page);
});

test("an edit of a deleted event, offered as a new event, within the page", async ({ page, baseURL }) => {
  const email = await signUp(page);
  await page.goto("/calendar/new?date=2026-03-02");
  await untilInteractive(page);
  await page.getByLabel("Title").fill("Dentist");
  await page.getByRole("button", { name: "Create event" }).click();
  await expect(page.getByText("The event has been saved.")).toBeVisible();
  await page.getByRole("link", { name: "Edit" }).click();
  await untilInteractive(page);
  await page.getByLabel("Title").fill(`Dentist ${"and a very long title ".repeat(4)}`.trim());
  await withE2eDatabase(baseURL!, (client) =>
    client.query(`DELETE FROM "Event" WHERE "userId" = (SELECT id FROM "User" WHERE email = $1)`, [email]),
  );
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Event not found" })).toBeVisible();
  await expectFitsAndAccessible(page);
});

test("a memory key another memory has: the form comes back with “Replace it”, a box beside its words", async ({
  page,
}) => {
  await signUp(page);
  await page.goto("/memory");
  await untilInteractive(page);
  const form = page.getByRole("form", { name: "Add a fact" });
  const add = async (value: string) => {
    await form.getByLabel("Kind").selectOption("professional");
    await form.getByLabel("Key").fill("employer");
    await form.getByLabel("Value").fill(value);
    await form.getByRole("button", { name: "Add fact" }).click();
  };
  await add("Acme");
  await expectNotice(page, "Fact saved.");
  await add("Initech");
  await expect(form.getByRole("alert")).toContainText("You already have");
  const replace = page.getByRole("checkbox", { name: "Replace it" });
  await expect(replace).toBeVisible();
  const box = (await replace.boundingBox())!;
  const label = (await page.locator("label", { has: replace }).boundingBox())!;
  // The box, not a full-width bar with the words wrapped below it: the words sit on its line.
  expect(box.width).toBeLessThan(40);
  expect(label.height).toBeLessThan(box.height * 3);
  await expectFitsAndAccessible(page);
});
