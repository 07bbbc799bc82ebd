import { expect, test, type Locator, type Page } from "@playwright/test";
import { untilReplyEnds } from "./support/chat";
import { promoteToAdmin } from "./support/admin";
import { expectNotice, signUp, untilInteractive } from "./support/session";

/**
 * On a 390 px phone, JS on and off: every control a person presses on its own is a target of at least
 * 24 × 24 CSS px (WCAG 2.2 AA 2.5.8, Target Size (Minimum)).
 *
 * Rules of the check:
 * - Controls: links, buttons, <summary>, inputs, selects and text areas that are shown (a box larger than
 *   1 × 1 px: visually hidden helpers and closed <details> are not targets).
 * - The inline exception, as WCAG words it ("the target is in a sentence"): a link is exempt when it is
 *   laid out inline and the nearest block around it is a <p> or <li> with words of its own besides the
 *   link ("… on the memory page."); its height is the line's. A link alone in its paragraph ("← Calendar")
 *   or in a row of links (the prompt page's "Other replies: #2 #1" is a <nav>) is not in a sentence.
 * - WCAG's spacing exception (an undersized target whose 24 px circle touches no other target) is not
 *   relied on: it holds by accident of what sits nearby (the "#2" and "#1" links, 19 px high, passed it
 *   by 5 px and would not as "#12 #11"), so the check asks for the size itself.
 */

type Finding = { target: string; width: number; height: number };

/** The page's controls smaller than 24 × 24 px that are not links in a sentence, named by tag and text. */
async function smallTargets(page: Page): Promise<Finding[]> {
  return page.evaluate(() => {
    const MIN = 24;
    const controls = [
      ...document.querySelectorAll<HTMLElement>(
        'a[href], button, summary, input:not([type="hidden"]), select, textarea, [role="button"]',
      ),
    ].filter((element) => {
      const box = element.getBoundingClientRect();
      const style = getComputedStyle(element);
      return box.width > 1 && box.height > 1 && style.visibility !== "hidden" && style.pointerEvents !== "none";
    });

    function inSentence(element: HTMLElement): boolean {
      if (element.tagName !== "A" || getComputedStyle(element).display !== "inline") return false;
      let block = element.parentElement;
      while (block && getComputedStyle(block).display === "inline") block = block.parentElement;
      if (!block || !["P", "LI"].includes(block.tagName)) return false;
      const own = (block.textContent ?? "").replace(element.textContent ?? "", "");
      return /\p{L}{2,}/u.test(own);
    }

    return controls
      .map((element) => ({ element, box: element.getBoundingClientRect() }))
      .filter(({ element, box }) => (box.width < MIN || box.height < MIN) && !inSentence(element))
      .map(({ element, box }) => ({
        target: `${element.tagName.toLowerCase()} "${(element.textContent || element.getAttribute("aria-label") || "").trim().slice(0, 40)}"`,
        width: Math.round(box.width),
        height: Math.round(box.height),
      }));
  });
}

/**
 * Four events on 4 March 2026, one after another: the month view stacks three in the day's cell and
 * links "+1 more"; the week and day views give each its own place. Returns the first event's address.
 */
async function addDayOfEvents(page: Page): Promise<string> {
  let first = "";
  for (const [title, start, end] of [
    ["Dentist", "08:00", "09:00"],
    ["Standup", "10:00", "10:30"],
    ["Lunch with Sam", "12:00", "13:00"],
    ["Gym", "18:00", "19:00"],
  ] as const) {
    await page.goto("/calendar/new?date=2026-03-04");
    await untilInteractive(page);
    await page.getByLabel("Title").fill(title);
    await page.getByLabel("Start time").fill(start);
    await page.getByLabel("End time").fill(end);
    await page.getByRole("button", { name: "Create event" }).click();
    await expect(page.getByText("The event has been saved.")).toBeVisible();
    first ||= new URL(page.url()).pathname;
  }
  return first;
}

test("every control on the calendar (a month with a day of several events), event, memory, settings, prompt and API reference pages is at least 24 × 24 px", async ({
  page,
}) => {
  test.setTimeout(180_000);
  await signUp(page);
  // Events (an event's page has a "← Calendar" link) and a conversation with two replies (the prompt page
  // then links to each: "#1", "#2").
  const event = await addDayOfEvents(page);
  await page.goto("/chat");
  await untilInteractive(page);
  await page.getByRole("textbox", { name: "Message", exact: true }).fill("first");
  await page.getByRole("button", { name: "Send" }).click();
  await page.waitForURL(/\/chat\/[a-z0-9]+/);
  await untilReplyEnds(page);
  const conversation = new URL(page.url()).pathname;
  await untilInteractive(page);
  await page.getByRole("textbox", { name: "Message", exact: true }).fill("second");
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.locator(".message--user")).toHaveCount(2);
  await untilReplyEnds(page);

  const findings: string[] = [];
  for (const path of [
    // Every view: each has the pager (← Previous, Today, Next →) and the views' links.
    "/calendar?view=month&date=2026-03-04",
    "/calendar?view=week&date=2026-03-04",
    "/calendar?view=day&date=2026-03-04",
    "/calendar?view=agenda&date=2026-03-04",
    "/calendar/new?date=2026-03-04",
    event,
    `${event}/edit`,
    `${event}/delete`,
    "/calendar/subscriptions",
    "/memory",
    "/settings/assistant",
    "/settings/notifications",
    `${conversation}/prompt`,
    // The API's reference: a list of its schemas' links.
    "/api/v1/docs",
  ]) {
    await page.goto(path);
    await untilInteractive(page);
    for (const { target, width, height } of await smallTargets(page)) {
      findings.push(`${path}: ${target} is ${width} × ${height}`);
    }
  }
  expect(findings).toEqual([]);
});

test.describe("in a browser whose zone is not the profile's", () => {
  // The calendar then suggests changing the time zone (with JS): "Change your time zone" is a target too.
  test.use({ timezoneId: "Pacific/Auckland" });

  test("a reply's memories, the calendar's zone suggestion and the admin pages' links are at least 24 × 24 px", async ({
    page,
    baseURL,
  }) => {
    test.setTimeout(180_000);
    const email = await signUp(page);
    await promoteToAdmin(email, baseURL!);
    // A fact, so the reply says "used 1 memory" (a <summary>); opened, it shows "See the whole prompt".
    await page.goto("/memory");
    const fact = page.getByRole("form", { name: "Add a fact" });
    await fact.getByLabel("Kind").selectOption("professional");
    await fact.getByLabel("Key").fill("employer");
    await fact.getByLabel("Value").fill("Acme Rockets");
    await fact.getByRole("button", { name: "Add fact" }).click();
    await expectNotice(page, "Fact saved.");
    await page.goto("/chat");
    await untilInteractive(page);
    await page.getByRole("textbox", { name: "Message", exact: true }).fill("Where do I work?");
    await page.getByRole("button", { name: "Send" }).click();
    await page.waitForURL(/\/chat\/[a-z0-9]+/);
    await untilReplyEnds(page);
    const used = page.getByTestId("used-memories");
    await used.getByText("used 1 memory").click();
    await expect(used.getByRole("link", { name: "See the whole prompt" })).toBeVisible();
    const findings: string[] = [];
    // Named here as well as swept: the sweep lets a link in a sentence off, and these stand on their own.
    async function measure(where: string, element: Locator): Promise<void> {
      const box = (await element.boundingBox())!;
      if (box.width < 24 || box.height < 24) {
        findings.push(
          `${where}: ${await element.textContent()} is ${Math.round(box.width)} × ${Math.round(box.height)}`,
        );
      }
    }
    await measure("reply", used.locator("summary"));
    await measure("reply", used.getByRole("link", { name: "See the whole prompt" }));

    for (const path of ["/calendar", "/admin/users", "/admin/audit"]) {
      await page.goto(path);
      await untilInteractive(page);
      if (path === "/calendar" && test.info().project.use.javaScriptEnabled !== false) {
        await measure(path, page.getByRole("link", { name: "Change your time zone" }));
      }
      if (path !== "/calendar") {
        await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
        await measure(path, page.locator('td a[href^="/admin/users/"]').first());
      }
      for (const { target, width, height } of await smallTargets(page)) {
        findings.push(`${path}: ${target} is ${width} × ${height}`);
      }
    }
    expect(findings).toEqual([]);
  });
});

test.describe("on a phone turned sideways", () => {
  // 844 px wide: past the calendar's narrow layout, where the month's event links were 20 px high.
  test.use({ viewport: { width: 844, height: 390 } });

  test("the month view's stacked events and its +N more link are at least 24 × 24 px", async ({ page }) => {
    await signUp(page);
    await addDayOfEvents(page);
    await page.goto("/calendar?view=month&date=2026-03-04");
    await untilInteractive(page);
    await expect(page.getByRole("link", { name: /more/ })).toBeVisible();
    const findings = (await smallTargets(page)).map(({ target, width, height }) => `${target} is ${width} × ${height}`);
    expect(findings).toEqual([]);
  });
});
