import { expect, test, type Page } from "@playwright/test";
import { expectNotice, signUp, untilInteractive } from "./support/session";

// On a 390 px phone, with JS and without (the js and no-js projects).
test.use({ viewport: { width: 390, height: 844 } });

async function expectNoSidewaysScroll(page: Page) {
  const [scrollWidth, clientWidth] = await page.evaluate(() => [
    document.documentElement.scrollWidth,
    document.documentElement.clientWidth,
  ]);
  expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
}

test("a new subscription link is shown once, and reloading the page keeps it working", async ({ page, request }) => {
  test.setTimeout(120_000);
  await signUp(page);
  await page.goto("/calendar/new?date=2026-03-04");
  await untilInteractive(page);
  await page.getByLabel("Title").fill("Synced talk");
  await page.getByRole("button", { name: "Create event" }).click();
  await expectNotice(page, "The event has been saved.");

  await page.goto("/calendar?view=week&date=2026-03-04");
  await untilInteractive(page);
  await page.getByText("Import, export and subscribe").click();
  await page.getByRole("button", { name: "Create a subscription link" }).click();
  const shown = page.locator(".feed-url");
  await expect(shown).toBeInViewport();
  const feedUrl = (await shown.textContent())!;
  expect(feedUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/calendar\/feed\/[A-Za-z0-9_-]{43}\.ics$/);
  // The address wraps within the phone's width and one click selects all of it, to copy.
  await expectNoSidewaysScroll(page);
  await shown.click();
  expect(await page.evaluate(() => window.getSelection()?.toString())).toBe(feedUrl);
  // Back on the view and date the form was on.
  await expect(page.getByRole("link", { name: "Week", exact: true })).toHaveAttribute("aria-current", "page");

  // A reload (and Back then Forward) reads the page again: no new link, the one shown is not shown again.
  await page.reload();
  // The link shown first still works: the calendar app keeps syncing.
  const feed = await request.get(feedUrl);
  expect(feed.status()).toBe(200);
  expect(feed.headers()["content-type"]).toContain("text/calendar");
  expect(await feed.text()).toContain("SUMMARY:Synced talk");
  await expect(page.getByText("was shown once, when it was made")).toBeInViewport();
  await expect(page.locator(".feed-url")).toHaveCount(0);
  await page.goBack();
  await page.goForward();
  await expect(page.getByText("was shown once, when it was made")).toBeVisible();
  await expect(page.locator(".feed-url")).toHaveCount(0);
  expect((await request.get(feedUrl)).status()).toBe(200);
});

test("the new link's address has a Copy button with JS; without JS it stays selectable text", async ({
  page,
  context,
  javaScriptEnabled,
}) => {
  test.setTimeout(120_000);
  await signUp(page);
  if (javaScriptEnabled) await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await page.goto("/calendar");
  await untilInteractive(page);
  await page.getByText("Import, export and subscribe").click();
  await page.getByRole("button", { name: "Create a subscription link" }).click();
  const shown = page.locator(".feed-url");
  await expect(shown).toBeInViewport();
  const feedUrl = (await shown.textContent())!;
  const copy = page.getByRole("button", { name: "Copy feed link" });
  if (!javaScriptEnabled) {
    await expect(copy).toHaveCount(0);
    await shown.click();
    expect(await page.evaluate(() => window.getSelection()?.toString())).toBe(feedUrl);
    return;
  }
  await copy.click();
  await expect(page.locator("#feed-link").getByText("Copied to clipboard")).toBeAttached();
  // The copy's status is not inside the notice's live region (it would be read again, address and all).
  await expect(page.locator('[role="status"] [role="status"]')).toHaveCount(0);
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(feedUrl);
  await expectNoSidewaysScroll(page);
});

test("signing out before the new link's page loads takes its one-minute cookie away", async ({ page, context }) => {
  test.setTimeout(120_000);
  await signUp(page);
  await page.goto("/calendar");
  await untilInteractive(page);
  // The form's answer alone (as when the page after it never loaded): the cookie is in the browser.
  const made = await page.request.post("/calendar?index", {
    form: { intent: "feed-create" },
    headers: { origin: new URL(page.url()).origin },
    maxRedirects: 0,
  });
  expect(made.status()).toBe(303);
  const feedCookie = async () => (await context.cookies()).filter((cookie) => cookie.name === "__ares_new_feed");
  expect(await feedCookie()).toHaveLength(1);
  // On the phone the header's actions are in its menu.
  const menu = page.locator(".main-nav__menu");
  await menu.locator("summary").click();
  await menu.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login\?reason=signed_out/);
  expect(await feedCookie()).toEqual([]);
});
