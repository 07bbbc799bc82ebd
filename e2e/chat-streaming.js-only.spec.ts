import { expect, test } from "@playwright/test";
import { seedLongConversation } from "./support/admin";
import { signUp } from "./support/session";

// ~6 s in all: long enough to still be running after a cold page hydrates on a busy 2-core CI machine.
const SLOW = "[[stub:delay=400]] tell me slowly";
const FULL = 'You said: "tell me slowly". This is a deterministic reply from the stub model.';

test.beforeEach(async ({ page }) => {
  await signUp(page);
  await page.goto("/chat");
  await page.waitForFunction(() => "__remixRouter" in window);
});

test("tokens appear progressively, survive a reload mid-stream, and complete", async ({ page }) => {
  await page.getByLabel("Message").fill(SLOW);
  await page.getByLabel("Message").press("Enter");
  const streaming = page.getByTestId("streaming-text");
  await expect(streaming).toContainText("You said", { timeout: 10_000 });
  const early = (await streaming.textContent()) ?? "";
  expect(early.length).toBeLessThan(FULL.length);
  await expect.poll(async () => ((await streaming.textContent()) ?? "").length).toBeGreaterThan(early.length);

  await page.reload();
  await expect(page.getByTestId("streaming-text")).toContainText("You said");
  await expect(page.locator('.message--assistant[data-status="complete"]')).toContainText(FULL, { timeout: 20_000 });
});

test("Stop keeps the partial reply", async ({ page }) => {
  await page.getByLabel("Message").fill(SLOW);
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.getByTestId("streaming-text")).toContainText("You said", { timeout: 10_000 });
  await page.getByRole("button", { name: "Stop" }).click();
  const stopped = page.locator('.message--assistant[data-status="aborted"]');
  await expect(stopped).toContainText("You said");
  await expect(stopped).toContainText("Stopped — the reply is as far as it got.");
  expect(((await stopped.locator(".message__body").textContent()) ?? "").length).toBeLessThan(FULL.length);
});

test("a streamed reply is formatted as it arrives: never raw ##, ** or fences", async ({ page }) => {
  test.setTimeout(90_000);
  const reply =
    "## Plan\n\nThis is **very important** and `inline` too, and it takes a while to say.\n\n```js\nconst answer = 42;\nconsole.log(answer);\n```\n\nAll **done** now, with a few more words to follow.";
  // Record every state of the streaming reply the page shows: a MutationObserver in the page itself.
  await page.evaluate(() => {
    const samples: { text: string; html: string }[] = [];
    (window as unknown as { __samples: typeof samples }).__samples = samples;
    new MutationObserver(() => {
      const element = document.querySelector('[data-testid="streaming-text"]');
      if (element) samples.push({ text: element.textContent ?? "", html: element.innerHTML });
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  await page.getByLabel("Message").fill(`[[stub:delay=300]] [[reply:${reply}]] format this`);
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.locator('.message--assistant[data-status="complete"] h2')).toHaveText("Plan", { timeout: 30_000 });
  const samples = await page.evaluate(
    () => (window as unknown as { __samples: { text: string; html: string }[] }).__samples,
  );
  expect(samples.length).toBeGreaterThan(5);
  for (const { text } of samples) expect(text).not.toMatch(/##|\*\*|```/);
  expect(samples.some(({ html }) => html.includes("<h2"))).toBe(true);
  expect(samples.some(({ html }) => html.includes("<strong>"))).toBe(true);
  expect(samples.some(({ html }) => html.includes("<pre"))).toBe(true);
});

test("after sending in a long conversation: my message at once, the reply in view, focus back in the box", async ({
  page,
  baseURL,
}) => {
  const email = await page.evaluate(() => document.querySelector(".user-menu__name")?.getAttribute("title") ?? "");
  test.setTimeout(60_000);
  const path = await seedLongConversation(email, baseURL!, 120);
  await page.goto(`${path}#latest`);
  await page.waitForFunction(() => "__remixRouter" in window);
  const box = page.getByRole("textbox", { name: "Message", exact: true });
  await expect(box).toBeInViewport();
  await box.fill("[[stub:delay=150]] the newest question");
  await box.press("Enter");
  // Shown before the server has answered (optimistic), then the stored message replaces it.
  await expect(page.locator(".message--user").last()).toContainText("the newest question");
  await expect(page.locator('.message--assistant[data-status="complete"]').last()).toContainText(
    "the newest question",
    {
      timeout: 20_000,
    },
  );
  await expect(page.locator(".message--assistant").last().locator(".answered-by")).toBeInViewport();
  await expect(box).toBeInViewport();
  await expect(box).toBeFocused();
});

test("scrolled up while a reply streams: the page stays put and offers Jump to latest", async ({ page, baseURL }) => {
  const email = await page.evaluate(() => document.querySelector(".user-menu__name")?.getAttribute("title") ?? "");
  test.setTimeout(60_000);
  const path = await seedLongConversation(email, baseURL!, 60);
  await page.goto(`${path}#latest`);
  await page.waitForFunction(() => "__remixRouter" in window);
  // ~40 words at 400 ms: still streaming after the page settles on a busy machine.
  const words = Array.from({ length: 40 }, (_, index) => `word${index}`).join(" ");
  await page.getByRole("textbox", { name: "Message", exact: true }).fill(`[[stub:delay=400]] [[reply:${words}]] go`);
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.getByTestId("streaming-text")).toContainText("word", { timeout: 15_000 });
  await page.mouse.wheel(0, -3000);
  const jump = page.getByRole("button", { name: "Jump to latest" });
  await expect(jump).toBeVisible();
  // The wheel scroll may still be animating; then the page must not move while the reply grows.
  await page.waitForTimeout(300);
  const scrolled = await page.evaluate(() => window.scrollY);
  await page.waitForTimeout(600);
  expect(await page.evaluate(() => window.scrollY)).toBe(scrolled);
  await jump.click();
  await expect(page.locator(".message--assistant").last()).toBeInViewport();
  await expect(jump).toBeHidden();
});

test("a fast, long reply is followed to its end without my scrolling", async ({ page }) => {
  // 80 paragraphs at 2 ms a token: the thread grows by many lines between the page's scroll and its event.
  const paragraphs = Array.from({ length: 80 }, (_, index) => `Paragraph ${index + 1} of a long answer.`);
  const box = page.getByRole("textbox", { name: "Message", exact: true });
  await box.fill(`[[stub:delay=2]] [[reply:${paragraphs.join("\n\n")}]] a long one`);
  await box.press("Enter");
  const reply = page.locator('.message--assistant[data-status="complete"]').last();
  await expect(reply).toContainText("Paragraph 80 of a long answer.", { timeout: 30_000 });
  await expect(reply.getByText("Paragraph 80 of a long answer.")).toBeInViewport();
  await expect(page.getByRole("button", { name: "Jump to latest" })).toBeHidden();
  // The first message of a new chat was sent from /chat, whose box is gone: focus is in this page's box.
  await expect(box).toBeFocused();
});

test("Copy message puts the reply's Markdown source on the clipboard (fetched when pressed)", async ({
  page,
  context,
}) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await page.getByLabel("Message").fill("**bold** and `code`");
  await page.getByLabel("Message").press("Enter");
  const reply = page.locator('.message--assistant[data-status="complete"]').last();
  await expect(reply.locator("strong")).toHaveText("bold", { timeout: 15_000 });
  // The page data carries the reply once, as HTML: the source is asked for on the press.
  const fetched = page.waitForRequest((request) => /\/export\?format=md&message=/.test(request.url()));
  await reply.getByRole("button", { name: "Copy message" }).click();
  await fetched;
  await expect(reply.getByRole("status")).toHaveText("Copied to clipboard");
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(
    'You said: "**bold** and `code`". This is a deterministic reply from the stub model.',
  );
});

test("a reply's HTML and my message's text come once with the page, and stay after hydration and page data reloads", async ({
  page,
}) => {
  // Markup React did not expect at hydration would show as a console error (recoverable or not).
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(message.text());
  });
  page.on("pageerror", (error) => problems.push(error.message));
  await page
    .getByRole("textbox", { name: "Message", exact: true })
    .fill('[[reply:Teal, **say**:\n\n```\ncolour = "teal"\n```]] a colour');
  await page.getByRole("textbox", { name: "Message", exact: true }).press("Enter");
  const reply = page.locator('.message--assistant[data-status="complete"]').last();
  await expect(reply.locator("strong")).toHaveText("say", { timeout: 15_000 });
  const address = page.url();

  // A fresh document: the reply's HTML is in its markup and nowhere else (not in the hydration data).
  const document = await page.request.get(address);
  const html = await document.text();
  // `say</strong>` in the markup, `say\u003c/strong` as the hydration script would carry it: once in all.
  expect(html.match(/say(?:<|\\u003c)\/strong/g), "the reply's HTML in the document").toHaveLength(1);

  await page.reload();
  await page.waitForFunction(() => "__remixRouter" in window);
  // Hydrated: the copy button is portalled into the code block, whose HTML the browser took from the page.
  await expect(reply.getByRole("button", { name: "Copy code block 1" })).toBeVisible();
  await expect(reply.locator("strong")).toHaveText("say");
  await expect(reply.locator("pre")).toContainText('colour = "teal"');

  // Page data reloaded (a send revalidates it): the reply is unchanged, its copy button not doubled.
  await page.getByRole("textbox", { name: "Message", exact: true }).fill("and another");
  await page.getByRole("textbox", { name: "Message", exact: true }).press("Enter");
  await expect(page.locator('.message--assistant[data-status="complete"]')).toHaveCount(2, { timeout: 15_000 });
  const first = page.locator(".message--assistant").first();
  await expect(first.locator("strong")).toHaveText("say");
  await expect(first.getByRole("button", { name: /Copy code block/ })).toHaveCount(1);

  // My earlier message's text also travels once (my newest keeps its copy in the data, for Edit), and
  // reads back exactly at hydration.
  const later = await (await page.request.get(address)).text();
  expect(later.match(/\*\*say\*\*/g), "my earlier message in the document").toHaveLength(1);
  await page.goto(address);
  await page.waitForFunction(() => "__remixRouter" in window);
  await expect(page.getByRole("button", { name: "Copy code block 1" })).toBeVisible();
  expect(
    await page
      .locator(".message--user .message__body")
      .first()
      .evaluate((body) => body.textContent),
  ).toBe('[[reply:Teal, **say**:\n\n```\ncolour = "teal"\n```]] a colour');
  await page.getByRole("link", { name: "Edit" }).click();
  await expect(page.getByRole("textbox", { name: "Edit your message" })).toHaveValue("and another");

  // Arriving by a link (a data request, no markup to take it from): the HTML comes in the data.
  await page.getByRole("link", { name: "Chat", exact: true }).first().click();
  await page.waitForURL(/\/chat$/);
  await page.goto(address); // a document again, then away and back through the app's own links
  await page.waitForFunction(() => "__remixRouter" in window);
  await page.getByRole("link", { name: "Chat", exact: true }).first().click();
  await page.waitForURL(/\/chat$/);
  // By its address: the title is the first message as typed, markers and all, cut to the title's length.
  await page
    .locator(`.conversation-list a[href^="${new URL(address).pathname}"]`)
    .first()
    .click();
  await expect(page.locator('.message--assistant[data-status="complete"]').first().locator("strong")).toHaveText("say");
  expect(problems).toEqual([]);
});
