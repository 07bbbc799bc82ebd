import { expect, test, type Page } from "@playwright/test";
import { untilReplyEnds } from "./support/chat";
import { seedLongConversation } from "./support/admin";

/** The page's links (Rename, Delete…) are buttons of the message box's form until JS runs, so it keeps its text. */
const pageLink = () => (test.info().project.use.javaScriptEnabled === false ? "button" : "link");
import { expectNotice, signUp } from "./support/session";

const REPLY = (text: string) => `You said: "${text}". This is a deterministic reply from the stub model.`;

async function startConversation(page: Page, message: string) {
  await page.goto("/chat");
  await page.getByLabel("Message").fill(message);
  await page.getByRole("button", { name: "Send" }).click();
  await page.waitForURL(/\/chat\/[a-z0-9]+(#latest)?$/);
}

/** The Pin/Rename/Export/Delete menu, a <details>: opened unless it already is. */
async function openConversationMenu(page: Page) {
  const menu = page.locator("details.menu");
  if (!(await menu.evaluate((details: HTMLDetailsElement) => details.open))) await menu.locator("summary").click();
}

/** Without JS the reply is followed in a frame until it is complete; with JS it streams in. */
async function expectReply(page: Page, text: string) {
  await untilReplyEnds(page);
  await expect(page.locator(".message--assistant").last()).toContainText(text, { timeout: 15_000 });
  await expect(page.locator('.message--assistant[data-status="complete"]').last()).toBeVisible({ timeout: 15_000 });
}

test.describe("chat", () => {
  let email: string;
  test.beforeEach(async ({ page }) => {
    email = await signUp(page);
  });

  test("send a message and get the reply, with the provider badge", async ({ page }) => {
    await startConversation(page, "Hello from the browser");
    await expect(page.locator(".message--user").last()).toContainText("Hello from the browser");
    await expectReply(page, REPLY("Hello from the browser"));
    await expect(page.getByTestId("provider-badge").last()).toContainText("OpenRouter · stub/small");
    await expect(page.getByRole("link", { name: "Hello from the browser" })).toBeVisible();
  });

  test("the preferred provider failing: the fallback answers and says so", async ({ page }) => {
    await startConversation(page, "[[stub:fail=500,only=openrouter]] fall back please");
    await expectReply(page, REPLY("fall back please"));
    await expect(page.getByTestId("provider-badge").last()).toContainText("Ollama");
    await expect(page.getByTestId("fallback-badge")).toContainText("OpenRouter did not answer");
  });

  test("every provider failing: the message stays, the problem is explained, Retry resends", async ({ page }) => {
    await startConversation(page, "[[stub:fail=500]] nobody home");
    await untilReplyEnds(page);
    await expect(page.locator(".message--error")).toContainText("No model provider answered", { timeout: 15_000 });
    await expect(page.locator(".message--user")).toContainText("nobody home");
    await page.getByRole("button", { name: "Retry" }).click();
    await untilReplyEnds(page);
    await expect(page.locator(".message--error")).toContainText("No model provider answered", { timeout: 15_000 });
    await expect(page.locator(".message--user")).toHaveCount(1);
  });

  test("while a reply is being written, what I type in the page is never lost (it does not reload)", async ({
    page,
  }) => {
    // Slow enough (about 5 s) that a page reloading itself every 2 s would have reloaded twice.
    await startConversation(page, "[[stub:delay=300]] take your time");
    const path = new URL(page.url()).pathname;
    await page.goto(`${path}?panel=rename`);
    await expect(page.locator('.message--assistant[data-status="streaming"]')).toBeVisible();
    // A reload forgets this (page.evaluate runs even with JS off).
    await page.evaluate(() => Object.assign(window, { typedMark: "still here" }));
    await page.getByLabel("New title").fill("My half-typed title");
    await page.getByLabel("Search conversations").fill("half-typed search");
    await page.getByRole("textbox", { name: "Message", exact: true }).fill("My next question, half typed");

    const noJs = test.info().project.use.javaScriptEnabled === false;
    const frame = page.frameLocator("iframe.reply-following");
    if (noJs) {
      // Without JS the reply grows in a frame of its own, which says when it is done.
      await expect(frame.getByRole("status")).toContainText("The reply is complete.", { timeout: 20_000 });
      await expect(frame.locator(".message__body")).toContainText(REPLY("take your time"));
    } else {
      await expect(page.locator('.message--assistant[data-status="complete"]')).toContainText(REPLY("take your time"), {
        timeout: 20_000,
      });
    }
    expect(await page.evaluate(() => (window as unknown as { typedMark?: string }).typedMark)).toBe("still here");
    await expect(page.getByLabel("New title")).toHaveValue("My half-typed title");
    await expect(page.getByLabel("Search conversations")).toHaveValue("half-typed search");
    await expect(page.getByRole("textbox", { name: "Message", exact: true })).toHaveValue(
      "My next question, half typed",
    );
    if (noJs) {
      await frame.getByRole("link", { name: "Show the conversation" }).click();
      await expect(page).toHaveURL(new RegExp(`${path}#latest$`));
      await expect(page.locator('.message--assistant[data-status="complete"]')).toContainText(REPLY("take your time"));
    }
  });

  test("rename, pin, search, export and delete", async ({ page }) => {
    await startConversation(page, "Tell me about axolotls");
    await expectReply(page, "axolotls");
    await openConversationMenu(page);
    await page.getByRole(pageLink(), { name: "Rename" }).click();
    await page.getByLabel("New title").fill("Amphibians");
    await page.getByRole("button", { name: "Save title" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Amphibians" })).toBeVisible();
    await openConversationMenu(page);
    await page.getByRole("button", { name: "Pin" }).click();
    // Pinned first (with JS the page re-renders after the post; the menu is opened on the new page).
    await expect(page.locator(".conversation-list").getByLabel("Pinned")).toHaveCount(1);
    await openConversationMenu(page);
    await expect(page.getByRole("button", { name: "Unpin" })).toBeVisible();

    await page.getByLabel("Search conversations").fill("axolotls");
    await page.getByLabel("Search conversations").press("Enter");
    await expect(page.locator(".snippet mark").first()).toHaveText(/axolotls/i);
    await page.locator(".search-results a").first().click();
    await expect(page.getByRole("heading", { level: 1, name: "Amphibians" })).toBeVisible();

    const download = page.waitForEvent("download");
    await openConversationMenu(page);
    await page.getByRole("link", { name: "Export Markdown" }).click();
    expect((await download).suggestedFilename()).toBe("amphibians.md");

    await openConversationMenu(page);
    await page.getByRole(pageLink(), { name: "Delete", exact: true }).click();
    await page.getByRole("button", { name: "Delete conversation" }).click();
    await expect(page).toHaveURL(/\/chat$/);
    await expectNotice(page, "Conversation deleted.");
    await expect(page.getByRole("link", { name: "Amphibians" })).toHaveCount(0);
    // Said once: a reload (or this address bookmarked) does not say it again.
    await page.reload();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("What can I help you with?");
    await expect(page.getByText("Conversation deleted.")).toHaveCount(0);
  });

  test("a message sent into a conversation deleted in another tab is kept, ready for a new conversation", async ({
    page,
  }) => {
    await startConversation(page, "Tell me about newts");
    await expectReply(page, "newts");
    const path = new URL(page.url()).pathname;
    const other = await page.context().newPage();
    await other.goto(path);
    await openConversationMenu(other);
    await other.getByRole(pageLink(), { name: "Delete", exact: true }).click();
    await other.getByRole("button", { name: "Delete conversation" }).click();
    await expect(other).toHaveURL(/\/chat$/);
    await other.close();

    await page.getByRole("textbox", { name: "Message" }).fill("And salamanders, please");
    await page.getByRole("button", { name: "Send" }).click();
    await expect(
      page.getByText("This conversation was deleted (in another tab or on another device), or never existed."),
    ).toBeVisible();
    await expect(page.getByText("Page not found")).toHaveCount(0);
    await expect(page.getByRole("textbox", { name: "Message" })).toHaveValue("And salamanders, please");
    await page.getByRole("button", { name: "Send" }).click();
    // A new conversation (the address this page answered at is the deleted one's).
    await page.waitForURL((url) => /^\/chat\/[a-z0-9]+$/.test(url.pathname) && url.pathname !== path);
    await expect(page.locator(".message--user").first()).toContainText("And salamanders, please");
  });

  test("delete on a phone: the question is in view, and the next page says the conversation is deleted", async ({
    page,
    baseURL,
  }) => {
    await page.setViewportSize({ width: 390, height: 844 });
    const path = await seedLongConversation(email, baseURL!, 12);
    // As the sidebar opens it: at the newest message, a long way below the menu.
    await page.goto(`${path}#latest`);
    await openConversationMenu(page);
    await page.getByRole(pageLink(), { name: "Delete", exact: true }).click();
    const confirm = page.getByRole("button", { name: "Delete conversation" });
    await expect(confirm).toBeInViewport();
    // Opened from its address (Back, a reload): in view too.
    await page.goto(`${path}?panel=delete`);
    await expect(confirm).toBeInViewport();
    await expect(page.getByText(/This cannot be undone/)).toBeInViewport();

    await confirm.click();
    await expect(page).toHaveURL(/\/chat$/);
    await expectNotice(page, "Conversation deleted.");
    await expect(page.getByRole("link", { name: /A long talk/ })).toHaveCount(0);
  });
});
