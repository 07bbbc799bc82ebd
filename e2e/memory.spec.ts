import { expect, test, type Page } from "@playwright/test";
import { untilReplyEnds } from "./support/chat";
import { expectNotice, signUp } from "./support/session";

async function startConversation(page: Page, message: string): Promise<string> {
  await page.goto("/chat");
  await page.getByLabel("Message").fill(message);
  await page.getByRole("button", { name: "Send" }).click();
  await page.waitForURL(/\/chat\/[a-z0-9]+(#latest)?$/);
  await untilReplyEnds(page);
  await expect(page.locator('.message--assistant[data-status="complete"]').last()).toBeVisible({ timeout: 15_000 });
  return new URL(page.url()).pathname;
}

/** What the jobs queue will do once the conversation is idle: summarise it and file the proposals. */
async function summarize(page: Page, path: string) {
  const id = path.split("/").at(-1)!;
  const origin = new URL(page.url()).origin;
  const response = await page.request.post(`/test-only/summarize/${id}`, { headers: { origin } });
  expect(response.status()).toBe(200);
  return (await response.json()) as { status: string };
}

async function addFact(page: Page, key: string, value: string) {
  await page.goto("/memory");
  const form = page.getByRole("form", { name: "Add a fact" });
  await form.getByLabel("Kind").selectOption("professional");
  await form.getByLabel("Key").fill(key);
  await form.getByLabel("Value").fill(value);
  await form.getByRole("button", { name: "Add fact" }).click();
  await expectNotice(page, "Fact saved.");
}

test.describe("memory", () => {
  // Three conversations and their replies on a shared, busy machine.
  test.describe.configure({ timeout: 120_000 });

  test.beforeEach(async ({ page }) => {
    await signUp(page);
  });

  test("a fact I add is in the prompt's facts section, and the reply says it used it", async ({ page }) => {
    await page.setViewportSize({ width: 390, height: 844 });
    await addFact(page, "employer", "Acme Rockets");
    const path = await startConversation(page, "Where do I work?");
    await page.getByTestId("used-memories").getByText("used 1 memory").click();
    await expect(page.getByTestId("used-memories")).toContainText("employer: Acme Rockets");
    await page.goto(`${path}/prompt`);
    await expect(page.locator("#sent-facts")).toContainText("professional · employer: Acme Rockets");
    await expect(page.locator("#next-facts")).toContainText("professional · employer: Acme Rockets");
    await expect(page.locator("#sent-calendar")).toContainText("Nothing scheduled.");
    // The memory page's content fits the phone (the site header's own overflow is the layout's concern).
    await page.goto("/memory");
    await expect(page.getByTestId("fact")).toContainText("Acme Rockets");
    const overflow = await page.evaluate(() => {
      const main = document.querySelector(".memory-page")!;
      const widest = Math.max(
        ...[...main.querySelectorAll("*")].map((element) => element.getBoundingClientRect().right),
      );
      return Math.max(main.scrollWidth - main.clientWidth, widest - window.innerWidth);
    });
    expect(overflow).toBeLessThanOrEqual(0);
  });

  test("each fact's and preference's Edit and Delete name the item for screen readers, long ones cut short", async ({
    page,
  }) => {
    await addFact(page, "drink", "likes tea");
    const long = `${"very long value ".repeat(12)}end`;
    await addFact(page, "story", long);
    const preferences = page.getByRole("form", { name: "Add a preference" });
    await preferences.getByLabel("Key").fill("reply_style");
    await preferences.getByLabel("Value").fill("short answers");
    await preferences.getByRole("button", { name: "Add preference" }).click();
    await expectNotice(page, "Preference saved.");

    const tea = page.getByTestId("fact").filter({ hasText: "likes tea" });
    // Visibly just "Delete" and "Edit"; their accessible names say which fact.
    const deleteTea = tea.getByRole("button", { name: "Delete “drink: likes tea”", exact: true });
    await expect(deleteTea).toBeVisible();
    await expect(deleteTea).toHaveText(/^Delete/);
    await expect(deleteTea.locator(".visually-hidden")).toHaveText(" “drink: likes tea”");
    await expect(tea.getByRole("link", { name: "Edit “drink: likes tea”", exact: true })).toBeVisible();
    await expect(page.getByRole("button", { name: "Delete “reply_style: short answers”", exact: true })).toBeVisible();
    // A long fact is named by its start, cut at a word, never the whole 200 characters.
    const story = page.getByTestId("fact").filter({ hasText: "end" }).getByRole("button");
    const name = await story.evaluate((button) => button.textContent ?? "");
    expect(name).toMatch(/^Delete “story: very long value very long value .*…”$/);
    expect(name.length).toBeLessThan(80);

    // The named button still does its job.
    await deleteTea.click();
    await expectNotice(page, "Deleted");
    await expect(page.getByTestId("fact").filter({ hasText: "likes tea" })).toHaveCount(0);
  });

  test("a proposal waits for review: accepted, it is in the next prompt; rejected, it never is", async ({ page }) => {
    const first = await startConversation(page, "By the way, my favourite colour is teal");
    expect((await summarize(page, first)).status).toBe("written");
    await page.goto("/memory");
    const proposal = page.getByTestId("proposal").filter({ hasText: "favourite_colour" });
    await expect(proposal).toContainText("teal");
    await expect(proposal.getByRole("link", { name: "from this message" })).toHaveAttribute(
      "href",
      new RegExp(`${first}#m-`),
    );
    // Each row's buttons name the item they act on (a screen reader otherwise hears "Accept" for every one).
    await expect(proposal.getByRole("button", { name: "Reject “favourite_colour: teal”" })).toBeVisible();
    await expect(proposal.getByRole("link", { name: "Edit “favourite_colour: teal”" })).toBeVisible();
    await proposal.getByRole("button", { name: "Accept “favourite_colour: teal”", exact: true }).click();
    await expectNotice(page, "Accepted");

    const second = await startConversation(page, "Also, my lucky number is 42");
    expect((await summarize(page, second)).status).toBe("written");
    await page.goto("/memory");
    await page
      .getByTestId("proposal")
      .filter({ hasText: "lucky_number" })
      .getByRole("button", { name: "Reject" })
      .click();
    await expectNotice(page, "Rejected");
    await expect(page.getByTestId("proposal")).toHaveCount(0);

    const third = await startConversation(page, "What do you know about my lucky number?");
    await page.goto(`${third}/prompt`);
    await expect(page.locator("#sent-facts")).toContainText("favourite_colour: teal");
    await expect(page.locator("#sent-facts")).not.toContainText("lucky");
    await expect(page.locator("#next-facts")).not.toContainText("lucky");
    // The earlier conversation's summary is sent, without the rejected value.
    await expect(page.locator("#sent-summaries")).toContainText("my lucky number is [forgotten]");
    await expect(page.locator("#sent-summaries")).not.toContainText("42");
  });

  test("a key I already have is refused, naming that fact, until I choose “Replace it”; a suggestion says what it replaces", async ({
    page,
  }) => {
    await addFact(page, "employer", "Other Co");
    const form = page.getByRole("form", { name: "Add a fact" });
    await form.getByLabel("Kind").selectOption("professional");
    await form.getByLabel("Key").fill("employer");
    await form.getByLabel("Value").fill("Initech");
    await form.getByRole("button", { name: "Add fact" }).click();
    await expect(form.getByRole("alert")).toHaveText("You already have “employer: Other Co”. Edit that fact instead.");
    await expect(form.getByLabel("Value")).toHaveValue("Initech");
    await expect(page.getByTestId("fact").filter({ hasText: "employer" })).toContainText("Other Co");
    await form.getByLabel("Replace it").check();
    await form.getByRole("button", { name: "Add fact" }).click();
    await expectNotice(page, "Fact saved.");
    await expect(page.getByTestId("fact").filter({ hasText: "employer" })).toContainText("Initech");

    // The stand-in model files "my <key> is <value>" as a personal fact.
    const personal = page.getByRole("form", { name: "Add a fact" });
    await personal.getByLabel("Kind").selectOption("personal");
    await personal.getByLabel("Key").fill("favourite_colour");
    await personal.getByLabel("Value").fill("blue");
    await personal.getByRole("button", { name: "Add fact" }).click();
    await expectNotice(page, "Fact saved.");
    const conversation = await startConversation(page, "By the way, my favourite colour is teal");
    expect((await summarize(page, conversation)).status).toBe("written");
    await page.goto("/memory");
    const proposal = page.getByTestId("proposal").filter({ hasText: "favourite_colour" });
    await expect(proposal).toContainText("teal");
    await expect(proposal).toContainText("Replaces: favourite_colour: blue");
  });
});
