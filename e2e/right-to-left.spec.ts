import { expect, test, type Locator } from "@playwright/test";
import { untilReplyEnds } from "./support/chat";
import { expectNotice, signUp, untilInteractive } from "./support/session";

/**
 * Text people write in Hebrew or Arabic reads right to left where it is shown and where it is typed
 * (dir="auto": each piece of someone's text takes its direction from its first strong letter), while
 * the page around it stays left to right.
 */

const HEBREW = "שלום, מה שלומך היום?";
const ARABIC = "موعد مع طبيب الأسنان";

async function direction(locator: Locator): Promise<string> {
  return locator.evaluate((element) => getComputedStyle(element).direction);
}

test("a Hebrew message, its conversation's title and the composer read right to left", async ({ page }) => {
  test.setTimeout(120_000);
  await signUp(page);
  await page.goto("/chat");
  await untilInteractive(page);
  const composer = page.getByRole("textbox", { name: "Message", exact: true });
  await expect(composer).toHaveAttribute("dir", "auto");
  await composer.fill(HEBREW);
  expect(await direction(composer), "the composer, holding Hebrew").toBe("rtl");
  await page.getByRole("button", { name: "Send" }).click();
  await page.waitForURL(/\/chat\/[a-z0-9]+/);
  await untilReplyEnds(page);

  const mine = page.locator(".message--user .message__body", { hasText: HEBREW });
  await expect(mine).toHaveAttribute("dir", "auto");
  expect(await direction(mine), "my message").toBe("rtl");
  // An English reply stays left to right: the direction is the text's, not the page's.
  const reply = page.locator(".message--assistant .message__body").first();
  await expect(reply).toHaveAttribute("dir", "auto");
  // The sidebar's title is the first message's words.
  const title = page.locator(".conversation-list .conversation-title").first();
  await expect(title).toContainText("שלום");
  expect(await direction(title), "the conversation's title").toBe("rtl");
  expect(await direction(page.locator("main")), "the page itself").toBe("ltr");
});

test("an Arabic event title and place, and a Hebrew memory fact, read right to left", async ({ page }) => {
  test.setTimeout(120_000);
  await signUp(page);
  await page.goto("/calendar/new?date=2026-03-04");
  await untilInteractive(page);
  await page.getByLabel("Title").fill(ARABIC);
  expect(await direction(page.getByLabel("Title")), "the title field").toBe("rtl");
  await page.getByLabel("Location").fill("شارع الملك فيصل");
  await page.getByLabel("Description").fill("הביאו את כרטיס הביטוח");
  await page.getByRole("button", { name: "Create event" }).click();
  await expect(page.getByText("The event has been saved.")).toBeVisible({ timeout: 30_000 });
  expect(await direction(page.getByRole("heading", { level: 1, name: ARABIC })), "the event's title").toBe("rtl");
  expect(await direction(page.locator(".event-details dd", { hasText: "شارع" })), "the place").toBe("rtl");
  expect(await direction(page.locator(".event-description")), "the description").toBe("rtl");
  await page.goto("/calendar?view=agenda&date=2026-03-04");
  const inList = page.locator("a.occurrence span", { hasText: ARABIC });
  expect(await direction(inList), "the title in the calendar").toBe("rtl");

  await page.goto("/memory");
  await untilInteractive(page);
  const form = page.getByRole("form", { name: "Add a fact" });
  await form.getByLabel("Key").fill("עיר");
  await form.getByLabel("Value").fill("תל אביב");
  expect(await direction(form.getByLabel("Value")), "the value field").toBe("rtl");
  await form.getByRole("button", { name: "Add fact" }).click();
  await expectNotice(page, "Fact saved.");
  const value = page.getByTestId("fact").getByText("תל אביב", { exact: true });
  expect(await direction(value), "the fact's value").toBe("rtl");
});
