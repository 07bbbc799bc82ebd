/**
 * With JS the conversation's other buttons submit the message box's form too (for the page without JS:
 * chat-kept-text.no-js-only.spec.ts): each still does its own thing, and neither sends nor clears the box.
 */
import { expect, messageBox as box, test } from "./support/composer";
import { untilInteractive } from "./support/session";

test("Pin, the theme and Regenerate do their own thing and leave what is typed in the box", async ({
  page,
  signedUpIn,
}) => {
  const { path } = await signedUpIn({ messages: 2 });
  const text = "Still typing this";
  await box(page).fill(text);

  const menu = page.locator("details", { has: page.getByText("Conversation menu") });
  await page.getByText("Conversation menu").click();
  await page.getByRole("button", { name: "Pin", exact: true }).click();
  // Pinned: the menu now offers Unpin (whether it is still open after the page revalidated or not).
  await expect(menu.getByRole("button", { name: "Unpin", exact: true, includeHidden: true })).toBeAttached();
  await menu.evaluate((details: HTMLDetailsElement) => (details.open = false));
  await expect(box(page)).toHaveValue(text);

  await page.locator(".main-nav__wide").getByRole("button", { name: "Dark" }).click();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
  await expect(box(page)).toHaveValue(text);

  await page.getByRole("button", { name: "Regenerate" }).click();
  await expect(page.locator(".message--assistant").last()).toContainText("You said", { timeout: 15_000 });
  await expect(box(page)).toHaveValue(text);
  // Nothing was sent: still the one message of mine.
  await expect(page.locator(".message--user")).toHaveCount(1);
  expect(new URL(page.url()).pathname).toBe(path);
});

test("the page's links stay links, and what is typed survives them and Save title", async ({ page, signedUpIn }) => {
  const { path } = await signedUpIn({ messages: 60 });
  const text = "Typed, then looked around";
  await box(page).fill(text);

  await page.getByText("Conversation menu").click();
  await expect(page.getByRole("link", { name: "Rename" })).toBeVisible();
  await page.getByRole("link", { name: "Rename" }).click();
  await page.waitForURL((url) => url.searchParams.get("panel") === "rename");
  await expect(box(page)).toHaveValue(text);
  await page.getByLabel("New title").fill("Renamed with JS");
  await page.getByLabel("New title").press("Enter");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Renamed with JS");
  await expect(box(page)).toHaveValue(text);
  // Nothing was sent.
  await expect(page.locator(".message--user")).toHaveCount(25);

  await page.getByRole("link", { name: "Show earlier messages" }).click();
  await page.waitForURL((url) => url.searchParams.has("before"));
  await expect(box(page)).toHaveValue(text);
  await page.getByRole("link", { name: "Show the newest messages" }).click();
  await page.waitForURL((url) => url.pathname === path && !url.search);
  await expect(box(page)).toHaveValue(text);
});

test("opening a conversation from the list renders its links as links at once (no no-JS button for a frame)", async ({
  page,
  signedUpIn,
}) => {
  const { path } = await signedUpIn({ messages: 60 });
  await page.goto("/chat");
  await untilInteractive(page);
  // Any no-JS stand-in (a button of the message box's form naming where a link leads) added from now on.
  await page.evaluate(() => {
    const seen = window as unknown as { keepToButtons: number };
    seen.keepToButtons = 0;
    new MutationObserver((records) => {
      for (const record of records) {
        for (const node of record.addedNodes) {
          if (!(node instanceof Element)) continue;
          if (node.matches('button[name="keepTo"]')) seen.keepToButtons++;
          seen.keepToButtons += node.querySelectorAll('button[name="keepTo"]').length;
        }
      }
    }).observe(document.body, { childList: true, subtree: true });
  });
  await page.getByRole("link", { name: "A long talk (60 messages)" }).click();
  await page.waitForURL((url) => url.pathname === path);
  await expect(page.getByRole("link", { name: "Show earlier messages" })).toBeVisible();
  expect(await page.evaluate(() => (window as unknown as { keepToButtons: number }).keepToButtons)).toBe(0);
});
