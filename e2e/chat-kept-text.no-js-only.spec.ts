/**
 * Without JS every button on a conversation posts a form and the page comes back from a redirect: the
 * text in the message box must come back with it (Stop, Regenerate, the model, Pin, the theme, and the
 * page's links: Rename, Delete, Edit, Show earlier, the reply versions, a calendar card), however long.
 * With JS the box is never left, so it keeps its text anyway (chat-kept-text.js-only.spec.ts).
 */
import type { Page } from "@playwright/test";
import { withE2eDatabase } from "./support/admin";
import { untilReplyEnds } from "./support/chat";
import { endSessionsElsewhere, expect, messageBox as box, test } from "./support/composer";
import { signUp, TEST_PASSWORD } from "./support/session";

/** Types `text`, presses what `press` does, and expects the same conversation with the text in the box. */
async function keepsTextThrough(page: Page, path: string, text: string, press: () => Promise<void>) {
  await box(page).fill(text);
  await press();
  await page.waitForURL((url) => url.pathname === path);
  await expect(box(page)).toHaveValue(text);
  // Taken once: opening the page again does not bring it back.
  await page.goto(path);
  await expect(box(page)).toHaveValue("");
}

test("what is typed in the message box survives the page's other buttons", async ({ page, baseURL, signedUpIn }) => {
  const { path } = await signedUpIn({ messages: 2 });
  const id = path.split("/")[2]!;
  expect(await page.evaluate(() => (window as unknown as { __remixRouter?: unknown }).__remixRouter)).toBeUndefined();

  await keepsTextThrough(page, path, "Kept through Pin", async () => {
    await page.getByText("Conversation menu").click();
    await page.getByRole("button", { name: "Pin", exact: true }).click();
  });
  await page.getByText("Conversation menu").click();
  await expect(page.getByRole("button", { name: "Unpin", exact: true })).toBeVisible();

  await keepsTextThrough(page, path, "Kept through the model\nsecond line", async () => {
    await page.getByLabel("Model", { exact: true }).selectOption({ index: 1 });
    await page.getByRole("button", { name: "Use model" }).click();
  });

  await keepsTextThrough(page, path, "Kept through the theme", async () => {
    await page.locator(".main-nav__wide").getByRole("button", { name: "Dark" }).click();
  });
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");

  await keepsTextThrough(page, path, "Kept through Regenerate", async () => {
    await page.getByRole("button", { name: "Regenerate" }).click();
  });

  // A reply still being written (as if its generation ran elsewhere): its Stop button.
  await withE2eDatabase(baseURL!, (client) =>
    client.query(
      `UPDATE "Message" SET status = 'streaming' WHERE "conversationId" = $1 AND role = 'assistant'
         AND "createdAt" = (SELECT max("createdAt") FROM "Message" WHERE "conversationId" = $1)`,
      [id],
    ),
  );
  await page.goto(path);
  await keepsTextThrough(page, path, "Kept through Stop", async () => {
    await page.getByRole("button", { name: "Stop" }).click();
  });
});

test("a message far longer than a cookie holds survives, and so does the text through the page's links", async ({
  page,
  baseURL,
  signedUpIn,
}) => {
  // More than one page of messages: "Show earlier messages" is there.
  const { path } = await signedUpIn({ messages: 60 });
  expect(await page.evaluate(() => (window as unknown as { __remixRouter?: unknown }).__remixRouter)).toBeUndefined();

  // ~9 KB: 1,500 CJK characters and 4,000 ASCII ones (a cookie held ~3.9 KB).
  const long = `${"漢字".repeat(750)}\n${"long text ".repeat(400)}`;
  await keepsTextThrough(page, path, long, async () => {
    await page.getByText("Conversation menu").click();
    await page.getByRole("button", { name: "Pin", exact: true }).click();
  });

  await box(page).fill("Kept through Rename");
  await page.getByText("Conversation menu").click();
  await page.getByRole("button", { name: "Rename" }).click();
  await page.waitForURL((url) => url.searchParams.get("panel") === "rename");
  await expect(box(page)).toHaveValue("Kept through Rename");
  await page.getByLabel("New title").fill("Renamed, text kept");
  await page.getByRole("button", { name: "Save title" }).click();
  await page.waitForURL((url) => url.pathname === path && !url.search);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Renamed, text kept");
  await expect(box(page)).toHaveValue("Kept through Rename");

  // Enter in the title field renames (the form it belongs to is the message box's).
  await page.getByText("Conversation menu").click();
  await page.getByRole("button", { name: "Rename" }).click();
  await page.getByLabel("New title").fill("Renamed with Enter");
  await page.getByLabel("New title").press("Enter");
  await page.waitForURL((url) => url.pathname === path && !url.search);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Renamed with Enter");
  await expect(box(page)).toHaveValue("Kept through Rename");

  await page.getByText("Conversation menu").click();
  await page.getByRole("button", { name: "Delete" }).click();
  await page.waitForURL((url) => url.searchParams.get("panel") === "delete");
  await expect(box(page)).toHaveValue("Kept through Rename");
  await box(page).fill("Kept through Cancel");
  await page.getByRole("button", { name: "Cancel" }).click();
  await page.waitForURL((url) => url.pathname === path && !url.search);
  await expect(box(page)).toHaveValue("Kept through Cancel");

  await box(page).fill("Kept through Show earlier");
  await page.getByRole("button", { name: "Show earlier messages" }).click();
  await page.waitForURL((url) => url.searchParams.has("before"));
  await expect(box(page)).toHaveValue("Kept through Show earlier");
  await box(page).fill("Kept through Show the newest");
  await page.getByRole("button", { name: "Show the newest messages" }).click();
  await page.waitForURL((url) => url.pathname === path && !url.search);
  await expect(box(page)).toHaveValue("Kept through Show the newest");

  // My newest message is an answered one: Regenerate gives the reply versions to page through.
  await withE2eDatabase(baseURL!, (client) =>
    client.query(
      `DELETE FROM "Message" WHERE "conversationId" = $1
         AND "createdAt" = (SELECT max("createdAt") FROM "Message" WHERE "conversationId" = $1)`,
      [path.split("/")[2]],
    ),
  );
  await page.goto(path);
  await box(page).fill("Kept through Edit");
  await page.getByRole("button", { name: "Edit" }).click();
  await page.waitForURL((url) => url.searchParams.has("edit"));
  await expect(box(page)).toHaveValue("Kept through Edit");
  await expect(page.getByLabel("Edit your message")).toBeVisible();
});

test("the reply versions and a calendar card's buttons keep what is typed", async ({ page }) => {
  await signUp(page);
  const title = "Dentist kept";
  await page.goto("/chat");
  await page
    .getByLabel("Message")
    .fill(
      `[[stub:tool=create_event,args=${JSON.stringify({ title, start: "2027-02-09T08:30", end: "2027-02-09T09:15" })}]] Please book ${title}`,
    );
  await page.getByRole("button", { name: "Send" }).click();
  await page.waitForURL(/\/chat\/[a-z0-9]+(#latest)?$/);
  await untilReplyEnds(page);
  const path = new URL(page.url()).pathname;
  const card = page.getByTestId("calendar-action");
  await expect(card).toHaveAttribute("data-status", "pending");

  await keepsTextThrough(page, path, "Kept through Cancel on the card", async () => {
    await card.getByRole("button", { name: "Cancel" }).click();
  });
  await expect(card).toHaveAttribute("data-status", "cancelled");

  await keepsTextThrough(page, path, "Kept through Regenerate", async () => {
    await page.getByRole("button", { name: "Regenerate" }).click();
  });
  await untilReplyEnds(page);
  await keepsTextThrough(page, path, "Kept through the previous version", async () => {
    await page.getByRole("button", { name: "Previous version" }).click();
  });
  await expect(page.getByTestId("version-position").first()).toContainText("1 / 2");
});

test("Pin and Regenerate pressed after the session ended: the text is shown back, and in the box after signing in", async ({
  page,
  baseURL,
  signedUpIn,
}) => {
  const { email, path } = await signedUpIn({ messages: 2 });
  for (const [text, press] of [
    [
      "Typed, then Pin after signing out elsewhere",
      async () => {
        await page.getByText("Conversation menu").click();
        await page.getByRole("button", { name: "Pin", exact: true }).click();
      },
    ],
    [
      "Typed, then Regenerate after signing out elsewhere",
      () => page.getByRole("button", { name: "Regenerate" }).click(),
    ],
  ] as const) {
    await page.goto(path);
    await box(page).fill(text);
    await endSessionsElsewhere(email, baseURL!);
    await press();
    await expect(page.getByRole("alert")).toContainText("it was not done");
    await expect(page.getByRole("alert")).toContainText("it will be back in the message box");
    await expect(page.getByRole("textbox", { name: "Your message (not sent)" })).toHaveValue(text);
    await page.getByRole("link", { name: "Sign in again" }).click();
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(TEST_PASSWORD);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.waitForURL((url) => url.pathname === path);
    await expect(box(page)).toHaveValue(text);
  }
});

test("a NUL in the box: the theme switch still changes the theme and the text comes back", async ({
  page,
  signedUpIn,
}) => {
  const { path } = await signedUpIn({ messages: 2 });
  await box(page).fill("before\u0000after");
  await page.locator(".main-nav__wide").getByRole("button", { name: "Dark" }).click();
  await page.waitForURL((url) => url.pathname === path);
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
  await expect(box(page)).toHaveValue("before\uFFFDafter");
  // Said next to the box: the character was not kept as typed.
  await expect(page.getByRole("status").filter({ hasText: "a character that cannot be stored" })).toBeVisible();
});

test("with the rename panel open, the theme switch keeps the box's text, and Enter in the title still renames", async ({
  page,
  signedUpIn,
}) => {
  const { path } = await signedUpIn({ messages: 2, query: "?panel=rename" });
  expect(await page.evaluate(() => (window as unknown as { __remixRouter?: unknown }).__remixRouter)).toBeUndefined();
  await box(page).fill("Typed while renaming");
  await page.locator(".main-nav__wide").getByRole("button", { name: "Dark" }).click();
  await page.waitForURL((url) => url.pathname === path && url.searchParams.get("panel") === "rename");
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
  await expect(box(page)).toHaveValue("Typed while renaming");

  await page.getByLabel("New title").fill("Renamed after the theme");
  await page.getByLabel("New title").press("Enter");
  await page.waitForURL((url) => url.pathname === path && !url.search);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Renamed after the theme");
  await expect(box(page)).toHaveValue("Typed while renaming");
});
