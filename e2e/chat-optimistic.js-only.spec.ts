/**
 * With JS my message shows in the thread as soon as I send it, and is then replaced by the stored one
 * (the server's id) without ever showing twice or disappearing in between; focus is back in the box.
 */
import { expect, test } from "@playwright/test";
import { signUp } from "./support/session";

type Watch = { counts: number[] };

test("my message shows at once, then once with the server's id; focus returns to the box", async ({ page }) => {
  await signUp(page);
  await page.goto("/chat");
  const box = page.getByRole("textbox", { name: "Message", exact: true });
  await box.fill("the first message");
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.locator('.message--assistant[data-status="complete"]')).toContainText("the first message", {
    timeout: 15_000,
  });
  await page.waitForFunction(() => "__remixRouter" in window);

  const text = `a second thought ${Date.now().toString(36)}`;
  // Every state of the thread, as copies of my message in it (a MutationObserver in the page).
  await page.evaluate((mine) => {
    const watch: Watch = { counts: [0] };
    (window as unknown as { __watch: Watch }).__watch = watch;
    new MutationObserver(() => {
      const copies = [...document.querySelectorAll(".messages .message--user")].filter((element) =>
        element.textContent?.includes(mine),
      ).length;
      if (watch.counts.at(-1) !== copies) watch.counts.push(copies);
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  }, text);
  // The send is held back until the optimistic copy has been seen.
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route(
    (url) => url.pathname.startsWith("/chat/"),
    async (route) => {
      if (route.request().method() === "POST") await held;
      await route.continue();
    },
  );

  await box.fill(text);
  await box.press("Enter");
  const pending = page.getByTestId("pending-message");
  await expect(pending).toContainText(text);
  await expect(box).toHaveValue("");
  release();

  const stored = page.locator(".messages .message--user", { hasText: text });
  await expect(stored).toHaveAttribute("id", /^m-/);
  await expect(pending).toHaveCount(0);
  await expect(page.locator('.message--assistant[data-status="complete"]').last()).toContainText(text, {
    timeout: 15_000,
  });
  await expect(stored).toHaveCount(1);
  await expect(box).toBeFocused();
  // Never twice, never gone in between: nothing, then the copy, then the stored message — one at a time.
  const { counts } = await page.evaluate(() => (window as unknown as { __watch: Watch }).__watch);
  expect(counts).toEqual([0, 1]);
});

test("a refused send: the pending copy goes and what I typed is back in the box, with the reason", async ({ page }) => {
  await signUp(page);
  await page.goto("/chat");
  const box = page.getByRole("textbox", { name: "Message", exact: true });
  await box.fill("a first message");
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.locator('.message--assistant[data-status="complete"]')).toContainText("a first message", {
    timeout: 15_000,
  });
  await page.waitForFunction(() => "__remixRouter" in window);
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route(
    (url) => url.pathname.startsWith("/chat/"),
    async (route) => {
      if (route.request().method() === "POST") await held;
      await route.continue();
    },
  );

  // The server refuses it (400): longer than a message may be (the box's maxlength only stops typing).
  const text = `keep this draft ${Date.now().toString(36)} ${"x".repeat(32_000)}`;
  await box.evaluate((element, value) => ((element as HTMLTextAreaElement).value = value), text);
  const refused = page.waitForResponse((response) => response.request().method() === "POST");
  await box.press("Enter");
  const pending = page.getByTestId("pending-message");
  await expect(pending).toContainText("draft");
  release();
  expect((await refused).status()).toBe(400);

  await expect(page.getByRole("alert")).toContainText("at most 32,000 characters");
  await expect(pending).toHaveCount(0);
  await expect(box).toHaveValue(text);
  await expect(page.locator(".messages .message--user")).toHaveCount(1);
});

test("a pasted NUL character: nothing is sent, the text stays and the field says why", async ({ page }) => {
  await signUp(page);
  await page.goto("/chat");
  const box = page.getByRole("textbox", { name: "Message", exact: true });
  const posts: string[] = [];
  page.on("request", (request) => {
    if (request.method() === "POST") posts.push(request.url());
  });

  await box.fill("before\u0000after");
  await box.press("Enter");
  await page.getByRole("button", { name: "Send" }).click();

  expect(await box.evaluate((element) => (element as HTMLTextAreaElement).validationMessage)).toContain(
    "Remove the NUL character",
  );
  await expect(box).toHaveValue("before\u0000after");
  expect(posts).toEqual([]);
  await expect(page.getByTestId("pending-message")).toHaveCount(0);

  // Once the character is gone the same box sends.
  await box.fill("before after");
  await box.press("Enter");
  await expect(page.locator('.message--assistant[data-status="complete"]')).toContainText("before after", {
    timeout: 15_000,
  });

  // Any other field too: a title with a NUL is held back in the Rename form, what was typed kept.
  await page.locator("details.menu summary").click();
  await page.getByRole("link", { name: "Rename" }).click();
  const title = page.getByLabel("New title");
  await title.fill("A\u0000B");
  posts.length = 0;
  await page.getByRole("button", { name: "Save title" }).click();
  expect(await title.evaluate((element) => (element as HTMLInputElement).validationMessage)).toContain(
    "Remove the NUL character",
  );
  await expect(title).toHaveValue("A\u0000B");
  expect(posts).toEqual([]);
});
