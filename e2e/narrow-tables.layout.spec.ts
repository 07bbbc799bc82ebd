import { expect, test, type Page } from "@playwright/test";
import { failJobElsewhere } from "../tests/support/jobs";
import { e2eDatabaseUrl, promoteToAdmin } from "./support/admin";
import { expectNotice, signIn, signUp } from "./support/session";

/**
 * On a 390 px phone the sessions table and the admin system and jobs tables are stacked rows: every control and
 * value is on screen, none waits off to the side in a scroll box (the Revoke button sat at x ≈ 500 in a
 * 316 px box).
 */

/** Elements that reach past the viewport's right edge, or that scroll sideways themselves. */
async function sidewaysOverflow(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const limit = document.documentElement.clientWidth;
    // Inside a visually hidden box (a stacked table's column headings, kept for screen readers): not shown.
    const clippedAway = (element: HTMLElement) => {
      for (let box = element.parentElement; box; box = box.parentElement) {
        const { width, height } = box.getBoundingClientRect();
        if (getComputedStyle(box).overflow === "hidden" && (width <= 1 || height <= 1)) return true;
      }
      return false;
    };
    return [...document.querySelectorAll<HTMLElement>("body *")]
      .filter((element) => {
        const box = element.getBoundingClientRect();
        if (box.width <= 1 || box.height <= 1 || clippedAway(element)) return false;
        const scrolls = ["auto", "scroll"].includes(getComputedStyle(element).overflowX);
        return box.right > limit + 0.5 || (scrolls && element.scrollWidth > element.clientWidth + 1);
      })
      .slice(0, 5)
      .map((element) => `${element.tagName.toLowerCase()}.${element.className} (${element.scrollWidth} px)`);
  });
}

test("/settings/sessions: every Revoke button is on screen and works, and nothing scrolls sideways", async ({
  page,
  browser,
}) => {
  const email = await signUp(page);
  // Two more sessions of the same account, each in a browser of its own.
  for (let other = 0; other < 2; other += 1) {
    const context = await browser.newContext();
    await signIn(await context.newPage(), email);
    await context.close();
  }
  await page.goto("/settings/sessions");
  const revoke = page.getByRole("button", { name: /^Revoke / });
  await expect(revoke).toHaveCount(2);
  const width = page.viewportSize()!.width;
  for (const button of await revoke.all()) {
    // Measured before anything is scrolled into view: it must be inside the viewport as the page shows it.
    const box = (await button.boundingBox())!;
    expect(box.x, "Revoke's left edge").toBeGreaterThanOrEqual(0);
    expect(box.x + box.width, "Revoke's right edge").toBeLessThanOrEqual(width);
  }
  expect(await sidewaysOverflow(page)).toEqual([]);
  // To a screen reader it is still a table: each cell named by its value under its column's header, the
  // visible "Last seen:" labels silent (they would be read twice).
  await expect(page.getByRole("columnheader", { name: "Last seen" })).toHaveCount(1);
  await expect(page.getByRole("cell", { name: /^(IP address|Signed in|Last seen):/ })).toHaveCount(0);
  await expect(page.getByRole("row")).toHaveCount(4);

  await revoke.first().click();
  await expectNotice(page, "The session has been signed out.");
  await expect(revoke).toHaveCount(1);
});

test("/admin/system: every column is on screen and nothing scrolls sideways", async ({ page, baseURL }) => {
  const email = await signUp(page);
  await promoteToAdmin(email, baseURL!);
  await page.goto("/admin/system");
  await expect(page.getByRole("heading", { name: "Migrations" })).toBeVisible();
  expect(await sidewaysOverflow(page)).toEqual([]);
  // The last columns, each value under its column's name.
  const width = page.viewportSize()!.width;
  for (const cell of await page.locator('td[data-label="Applied"], td[data-label="Latency"]').all()) {
    const box = (await cell.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(width);
  }
});

test("/admin/jobs: a failed job's Retry button is on screen and nothing scrolls sideways", async ({
  page,
  baseURL,
}) => {
  const email = await signUp(page);
  await promoteToAdmin(email, baseURL!);
  const id = await failJobElsewhere(e2eDatabaseUrl(baseURL!), "sessions.purge-ended", "the feed timed out");
  await page.goto("/admin/jobs");
  const row = page.getByRole("row").filter({ hasText: id });
  const retry = row.getByRole("button", { name: "Retry" });
  await expect(retry).toBeVisible();
  const box = (await retry.boundingBox())!;
  expect(box.x + box.width, "Retry's right edge").toBeLessThanOrEqual(page.viewportSize()!.width);
  expect(await sidewaysOverflow(page)).toEqual([]);
  await expect(row.locator('td[data-label="Error"]')).toHaveText("the feed timed out");
});
