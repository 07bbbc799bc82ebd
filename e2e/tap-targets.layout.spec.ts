import { expect, test, type Locator, type Page } from "@playwright/test";
import { untilReplyEnds } from "./support/chat";
import { signUp, untilInteractive } from "./support/session";

/**
 * On a 390 px phone, JS on and off: small things are still targets of at least 24 × 24 CSS px (WCAG
 * 2.5.8), and nothing covers what it sits on.
 */

async function size(locator: Locator) {
  const box = await locator.boundingBox();
  expect(box, "on the page").not.toBeNull();
  return box!;
}

async function expectWithinPage(page: Page) {
  const [scrollWidth, clientWidth] = await page.evaluate(() => [
    document.documentElement.scrollWidth,
    document.documentElement.clientWidth,
  ]);
  expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
}

test("a 15-minute event in the day view and the event form's All day box are at least 24 × 24 px", async ({ page }) => {
  // They were a 78 × 10 px link and a 13 × 22 px box.
  await signUp(page);
  await page.goto("/calendar/new?date=2026-03-04");
  await untilInteractive(page);
  const allDay = page.getByRole("checkbox", { name: "All day" });
  const box = await size(allDay);
  expect(box.width, "All day: width").toBeGreaterThanOrEqual(24);
  expect(box.height, "All day: height").toBeGreaterThanOrEqual(24);
  await expectWithinPage(page);

  for (const [title, start, end] of [
    ["Quick call", "10:00", "10:15"],
    ["Stand-up", "10:15", "10:30"],
  ] as const) {
    await page.goto("/calendar/new?date=2026-03-04");
    await untilInteractive(page);
    await page.getByLabel("Title").fill(title);
    await page.getByLabel("Start time").fill(start);
    await page.getByLabel("End time").fill(end);
    await page.getByRole("button", { name: "Create event" }).click();
    await expect(page.getByText("The event has been saved.")).toBeVisible();
  }
  await page.goto("/calendar?view=day&date=2026-03-04");
  for (const title of ["Quick call", "Stand-up"]) {
    const event = page.locator(".time-grid__column a.occurrence", { hasText: title });
    const target = await size(event);
    expect(target.width, `${title}: width`).toBeGreaterThanOrEqual(24);
    expect(target.height, `${title}: height`).toBeGreaterThanOrEqual(24);
    // Pressed where it is, it opens that event (the next one does not cover it).
    await event.click();
    await expect(page.getByRole("heading", { level: 1, name: title })).toBeVisible();
    await page.goBack();
  }
  await expectWithinPage(page);
});

test("a code block's Copy button does not cover the code", async ({ page }) => {
  await signUp(page);
  await page.goto("/chat");
  await untilInteractive(page);
  const reply = [
    "Here:",
    "",
    "```js",
    `const greeting = "hello from a line long enough to reach the right edge";`,
    "```",
  ];
  await page.getByRole("textbox", { name: "Message", exact: true }).fill(`[[reply:${reply.join("\n")}]] code please`);
  await page.getByRole("button", { name: "Send" }).click();
  await page.waitForURL(/\/chat\/[a-z0-9]+/);
  await untilReplyEnds(page);
  const answer = page.locator('.message--assistant[data-status="complete"]');
  await expect(answer).toBeVisible({ timeout: 20_000 });
  const copy = answer.getByRole("button", { name: "Copy code block 1" });
  if (test.info().project.use.javaScriptEnabled === false) {
    // Copying needs JS: without it there is no button to get in the way.
    await expect(copy).toHaveCount(0);
  } else {
    const button = await size(copy);
    const code = await size(answer.locator("pre code"));
    // The button is above the code's first line, not over it.
    expect(button.y + button.height, "the Copy button's bottom edge").toBeLessThanOrEqual(code.y + 1);
    expect(button.x + button.width).toBeLessThanOrEqual(page.viewportSize()!.width);
  }
  await expectWithinPage(page);
});
