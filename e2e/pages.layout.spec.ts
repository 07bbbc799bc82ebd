import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { untilReplyEnds } from "./support/chat";
import { promoteToAdmin, seedLongConversation, withE2eDatabase } from "./support/admin";
import { expectNotice, signUp, untilInteractive } from "./support/session";

/**
 * Every page on a 390 px phone, with JS (phone-js) and without (phone-no-js): nothing scrolls sideways,
 * and axe finds nothing serious or critical in the light or the dark theme.
 */

// A reply that used to stretch the page to 3,688 px: an unbroken URL, a long code line and a table.
const WIDE_REPLY = [
  "## Wide things",
  "",
  `A link: https://example.test/${"a".repeat(300)}`,
  "",
  "```js",
  `const line = "${"x".repeat(400)}";`,
  "```",
  "",
  "| column one | column two | column three | column four | column five |",
  "| --- | --- | --- | --- | --- |",
  "| some longer cell text | some longer cell text | some longer cell text | some longer cell text | text |",
  "| longcellvalue1 | longcellvalue2 | longcellvalue3 | longcellvalue4 | longcellvalue5 |",
].join("\n");

async function expectNoSidewaysScroll(page: Page, label: string) {
  const viewport = page.viewportSize()?.width ?? 0;
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  if (width <= viewport) return;
  // Name the culprits: the outermost elements that reach past the right edge.
  const culprits = await page.evaluate((limit) => {
    const wide = [...document.querySelectorAll("body *")].filter(
      (element) => element.getBoundingClientRect().right > limit,
    );
    return wide
      .filter((element) => !wide.includes(element.parentElement as Element))
      .slice(0, 5)
      .map(
        (element) => `${element.tagName.toLowerCase()}.${element.className} → ${element.getBoundingClientRect().right}`,
      );
  }, viewport);
  expect(width, `${label} is ${width}px wide in a ${viewport}px viewport: ${culprits.join("; ")}`).toBeLessThanOrEqual(
    viewport,
  );
}

/**
 * axe is a script, which a no-JS page cannot run: without JS it checks the same page, same cookies and
 * viewport, in a browser with scripting on whose requests for the app's own scripts are refused (the
 * server's HTML as is). One such page per theme, not per address: a browser context each time made the
 * sweeps outlast their timeout on a loaded machine.
 */
async function openAxeCopy(page: Page): Promise<Page> {
  const { viewport, isMobile, hasTouch, deviceScaleFactor } = test.info().project.use;
  const context = await page
    .context()
    .browser()!
    .newContext({
      javaScriptEnabled: true,
      viewport,
      isMobile,
      hasTouch,
      deviceScaleFactor,
      storageState: await page.context().storageState(),
    });
  const copy = await context.newPage();
  await copy.route(/\.m?js(\?.*)?$/, (route) => route.abort());
  return copy;
}

async function expectAccessible(page: Page, label: string, axeCopy: Page | null) {
  const tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
  let results;
  if (axeCopy) {
    await axeCopy.goto(page.url());
    results = await new AxeBuilder({ page: axeCopy }).withTags(tags).analyze();
  } else {
    results = await new AxeBuilder({ page }).withTags(tags).analyze();
  }
  const serious = results.violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`);
  expect(serious, label).toEqual([]);
}

/** Visits each page in both themes (the theme cookie, as the switch sets it). */
async function sweep(page: Page, baseURL: string, paths: string[]) {
  const { javaScriptEnabled } = test.info().project.use;
  for (const theme of ["light", "dark"] as const) {
    await page.context().addCookies([{ name: "theme", value: theme, url: baseURL }]);
    const axeCopy = javaScriptEnabled === false ? await openAxeCopy(page) : null;
    try {
      for (const path of paths) {
        const response = await page.goto(path);
        expect(response?.status(), path).toBeLessThan(500);
        await expect(page.locator("html")).toHaveAttribute("data-theme", theme);
        await expectNoSidewaysScroll(page, `${path} (${theme})`);
        await expectAccessible(page, `${path} (${theme})`, axeCopy);
      }
    } finally {
      await axeCopy?.context().close();
    }
  }
}

test.describe.configure({ timeout: 180_000 });

test("pages a visitor sees", async ({ page, baseURL }) => {
  await sweep(page, baseURL!, ["/", "/login", "/signup", "/login?reason=expired"]);
});

test("the home page's recent conversations: long titles are cut with …, never widening the page", async ({
  page,
  baseURL,
}) => {
  const email = await signUp(page);
  // The outside tester's two: words (558 px wide on a phone) and one unbroken word (1,649 px at 1280).
  const titles = ["A rather long conversation title about planning the garden ok", `Unbroken${"x".repeat(72)}`];
  for (const title of titles) {
    const id = (await seedLongConversation(email, baseURL!, 2)).split("/").pop();
    await withE2eDatabase(baseURL!, (client) =>
      client.query(`UPDATE "Conversation" SET title = $1 WHERE id = $2`, [title, id]),
    );
  }
  for (const width of [390, 1280]) {
    await page.setViewportSize({ width, height: 844 });
    await page.goto("/");
    await expectNoSidewaysScroll(page, `/ at ${width} px`);
    for (const title of titles) {
      const shown = page.locator(".recent-list .conversation-title", { hasText: title });
      await expect(shown).toBeVisible();
      const cut = await shown.evaluate((element) => ({
        cut: element.scrollWidth > element.clientWidth,
        ellipsis: getComputedStyle(element).textOverflow === "ellipsis",
        right: element.getBoundingClientRect().right,
      }));
      if (width === 390) expect(cut.cut, `${title} at ${width} px`).toBe(true);
      expect(cut.ellipsis).toBe(true);
      expect(cut.right, `${title} at ${width} px`).toBeLessThanOrEqual(width);
    }
  }
});

test("chat pages, including a reply with very long lines", async ({ page, baseURL }) => {
  await signUp(page);
  await page.goto("/chat");
  await page.getByRole("textbox", { name: "Message", exact: true }).fill(`[[reply:${WIDE_REPLY}]] show me wide things`);
  await page.getByRole("button", { name: "Send" }).click();
  await page.waitForURL(/\/chat\/[a-z0-9]+/);
  await untilReplyEnds(page);
  await expect(page.locator('.message--assistant[data-status="complete"]')).toBeVisible({ timeout: 20_000 });
  const conversation = new URL(page.url()).pathname;
  // The code block scrolls inside its own box.
  const code = page.locator(".message--assistant pre").first();
  expect(await code.evaluate((element) => element.scrollWidth > element.clientWidth)).toBe(true);
  // Table cells keep their words whole (they broke a letter at a time on a phone): a cell is one line
  // high, and the table scrolls inside its box where it is wider than the reply.
  const cell = page.locator(".message--assistant td", { hasText: "longcellvalue1" });
  const lineHeight = await cell.evaluate((element) => parseFloat(getComputedStyle(element).lineHeight));
  const padding = await cell.evaluate(
    (element) => parseFloat(getComputedStyle(element).paddingTop) + parseFloat(getComputedStyle(element).paddingBottom),
  );
  expect((await cell.boundingBox())!.height).toBeLessThan(lineHeight * 1.5 + padding + 2);
  await sweep(page, baseURL!, [
    "/",
    "/chat",
    conversation,
    `${conversation}/prompt`,
    "/chat?q=wide",
    "/calendar",
    "/memory",
    "/no/such/page",
  ]);
});

test("a regenerated reply with its versions, and my message open for editing", async ({ page, baseURL }) => {
  // Two replies (without JS, followed by the page refreshing itself) before the sweep.
  test.setTimeout(180_000);
  await signUp(page);
  await page.goto("/chat");
  await page.getByRole("textbox", { name: "Message", exact: true }).fill(`[[reply:${WIDE_REPLY}]] wide again`);
  await page.getByRole("button", { name: "Send" }).click();
  await page.waitForURL(/\/chat\/[a-z0-9]+/);
  await untilReplyEnds(page);
  await expect(page.locator('.message--assistant[data-status="complete"]')).toBeVisible({ timeout: 20_000 });
  const conversation = new URL(page.url()).pathname;
  // The reply has a code block, whose Copy button is portalled into it: replacing it must not hang the page.
  await page.getByRole("button", { name: "Regenerate" }).click();
  await expect(page.getByTestId("version-position")).toContainText("2 / 2", { timeout: 20_000 });
  await untilReplyEnds(page);
  await expect(page.locator('.message--assistant[data-status="complete"]')).toBeVisible({ timeout: 20_000 });
  const mine = (await page.locator(".message--user").getAttribute("id"))!.replace(/^m-/, "");
  await sweep(page, baseURL!, [conversation, `${conversation}?edit=${mine}`]);
});

test("calendar and memory pages holding unbroken long text, and notifications", async ({ page, baseURL }) => {
  test.setTimeout(240_000);
  await signUp(page);
  const unbroken = (length: number) => "W".repeat(length);
  await page.goto("/calendar/new?date=2026-03-02");
  await page.getByLabel("Title").fill(unbroken(200));
  await page.getByLabel("Location").fill(`https://maps.example.test/${unbroken(270)}`);
  await page.getByLabel("Description").fill(`Agenda: https://example.test/${unbroken(1000)}`);
  await page.getByLabel("Repeats").selectOption("WEEKLY");
  await page.getByLabel("Mon", { exact: true }).check();
  await page.getByRole("button", { name: "Create event" }).click();
  await expect(page.getByText("The event has been saved.")).toBeVisible();
  const event = new URL(page.url()).pathname;
  // One that does not repeat: its edit and delete pages lead back with its title alone.
  await page.goto("/calendar/new?date=2026-03-03");
  await page.getByLabel("Title").fill("X".repeat(190));
  await page.getByRole("button", { name: "Create event" }).click();
  await expect(page.getByText("The event has been saved.")).toBeVisible();
  const oneOff = new URL(page.url()).pathname;

  await page.goto("/memory");
  const form = page.getByRole("form", { name: "Add a fact" });
  await form.getByLabel("Key").fill(unbroken(80));
  await form.getByLabel("Value").fill(unbroken(1000));
  await form.getByRole("button", { name: "Add fact" }).click();
  await expectNotice(page, "Fact saved.");

  await sweep(page, baseURL!, [
    "/calendar?view=month&date=2026-03-02",
    "/calendar?view=week&date=2026-03-02",
    "/calendar?view=day&date=2026-03-02",
    "/calendar?view=agenda&date=2026-03-02",
    `/calendar?q=${unbroken(50)}`,
    event,
    `${event}/edit?occurrence=2026-03-09`,
    `${event}/delete?occurrence=2026-03-09`,
    `${oneOff}/edit`,
    `${oneOff}/delete`,
    "/calendar/subscriptions",
    "/memory",
    `/memory?q=${unbroken(50)}`,
    "/notifications",
  ]);
});

test("the month view's week-number header stays on one line, within the page", async ({ page }) => {
  // "Wk" broke into "W" over "k" at 390 px: the column is narrower than the word.
  await signUp(page);
  await page.goto("/calendar?view=month&date=2026-03-02");
  const header = page.locator(".month-grid thead th.week-number");
  await expect(header).toHaveText("Wk");
  const { lines, height, lineHeight, clipped } = await header.evaluate((cell) => {
    const text = cell.querySelector("abbr") ?? cell;
    return {
      lines: text.getClientRects().length,
      height: text.getBoundingClientRect().height,
      lineHeight: parseFloat(getComputedStyle(text).lineHeight),
      clipped: cell.scrollWidth > cell.clientWidth,
    };
  });
  expect(lines, "line boxes of “Wk”").toBe(1);
  expect(height).toBeLessThan(lineHeight * 1.5);
  expect(clipped, "“Wk” cut off by its cell").toBe(false);
  await expectNoSidewaysScroll(page, "the month view");
});

test("month-view chips and “+N more” are targets of at least 24 × 24 px on a phone, within the page", async ({
  page,
}) => {
  // They were about 40 × 17 px: too small to tap (WCAG 2.5.8).
  await signUp(page);
  for (const title of ["Tea", "Dentist", "Run", "Call Mum", "Pay rent"]) {
    await page.goto("/calendar/new?date=2026-03-04");
    await page.getByLabel("Title").fill(title);
    await page.getByRole("button", { name: "Create event" }).click();
    await expect(page.getByText("The event has been saved.")).toBeVisible();
  }
  await page.goto("/calendar?view=month&date=2026-03-02");
  const targets = page.locator(".month-grid a.occurrence, .month-grid a.month-cell__more");
  await expect(targets.first()).toBeVisible();
  const boxes = await targets.evaluateAll((links) =>
    links.map((link) => {
      const box = link.getBoundingClientRect();
      return { text: link.textContent ?? "", width: box.width, height: box.height };
    }),
  );
  expect(boxes.length).toBeGreaterThan(0);
  for (const box of boxes) {
    expect(box.height, `${box.text}: height`).toBeGreaterThanOrEqual(24);
    expect(box.width, `${box.text}: width`).toBeGreaterThanOrEqual(24);
  }
  await expectNoSidewaysScroll(page, "the month view with chips");
});

test("settings pages", async ({ page, baseURL }) => {
  await signUp(page, { name: "Someone with a rather long name indeed" });
  await sweep(page, baseURL!, [
    "/settings/profile",
    "/settings/assistant",
    "/settings/telegram",
    "/settings/usage",
    "/settings/password",
    "/settings/sessions",
    "/settings/data",
  ]);
});

test("admin pages", async ({ page, baseURL }) => {
  const email = await signUp(page);
  await promoteToAdmin(email, baseURL!);
  await page.goto("/admin/users");
  const firstUser = await page.locator("table.data a[href^='/admin/users/']").first().getAttribute("href");
  await sweep(page, baseURL!, [
    "/admin/users",
    firstUser!,
    "/admin/audit",
    "/admin/jobs",
    "/admin/system",
    "/admin/assistant",
    "/api/v1/docs",
  ]);
});

test("the menu opens and leads to Settings, on a phone", async ({ page }) => {
  // A long address: the account line of the open menu must shorten it, not push Sign out out.
  await signUp(page, { email: `a-rather-long-name-${Date.now().toString(36)}@an-example-domain.test` });
  await expect(page.getByRole("link", { name: "Settings" })).toBeHidden();
  await page.getByText("Menu", { exact: true }).click();
  await expect(page.getByRole("link", { name: "Settings" })).toBeVisible();
  // The open panel holds the links, the theme switch and the account: it must fit as well.
  await expectNoSidewaysScroll(page, "the open menu");
  const panel = (await page.locator(".main-nav__panel").boundingBox())!;
  const signOut = (await page.locator(".main-nav__panel").getByRole("button", { name: "Sign out" }).boundingBox())!;
  expect(signOut.x + signOut.width, "Sign out's right edge inside the panel").toBeLessThanOrEqual(
    panel.x + panel.width,
  );
  expect(signOut.height, "Sign out on one line").toBeLessThan(48);
  await page.getByRole("link", { name: "Settings" }).click();
  await expect(page).toHaveURL(/\/settings/);
  await expectNoSidewaysScroll(page, "settings");
});

test("the conversations drawer opens and leads to a conversation, on a phone", async ({ page, baseURL }) => {
  const email = await signUp(page);
  const path = await seedLongConversation(email, baseURL!, 4);
  await page.goto("/chat");
  await expect(page.getByRole("link", { name: /A long talk/ })).toBeHidden();
  await page.getByText("Conversations", { exact: true }).click();
  await page.getByRole("link", { name: /A long talk/ }).click();
  await expect(page).toHaveURL(new RegExp(`${path}#latest$`));
  await expect(page.getByRole("link", { name: /A long talk/ })).toBeHidden();
});

test("a 200-message conversation opens at its newest message with the message box in view", async ({
  page,
  baseURL,
}) => {
  const email = await signUp(page);
  const path = await seedLongConversation(email, baseURL!, 200);
  await page.goto("/");
  await page.getByRole("link", { name: /A long talk/ }).click();
  await expect(page.getByText("Message number 199.")).toBeInViewport();
  await expect(page.getByRole("textbox", { name: "Message", exact: true })).toBeInViewport();
  await expectNoSidewaysScroll(page, path);

  await page.getByRole("textbox", { name: "Message", exact: true }).fill("One more, please");
  await page.getByRole("button", { name: "Send" }).click();
  await untilReplyEnds(page);
  await expect(page.locator('.message--assistant[data-status="complete"]').last()).toContainText("One more, please", {
    timeout: 20_000,
  });
  await expect(page.locator(".message--assistant").last()).toBeInViewport();
  await expect(page.getByRole("textbox", { name: "Message", exact: true })).toBeInViewport();
});

test("the message box: Send keeps its size, and without JS the hint sits on a line of its own below", async ({
  page,
  baseURL,
}) => {
  const noJs = test.info().project.use.javaScriptEnabled === false;
  // A touch screen's keyboard has no Shift+Enter: there, with JS too, Enter starts a new line.
  const enterIsNewLine = noJs || test.info().project.use.hasTouch === true;
  const path = await seedLongConversation(await signUp(page), baseURL!, 2);
  const boxes = [
    { address: "/chat", field: "composer-message", button: "Send" },
    // My newest message open for editing: Cancel and Save share the row.
    { address: `${path}?edit=${path.split("/").pop()}_0`, field: "edit-message", button: "Save" },
  ];
  for (const width of [390, 1280]) {
    await page.setViewportSize({ width, height: 844 });
    for (const { address, field, button } of boxes) {
      const where = `${address} at ${width} px`;
      await page.goto(address);
      await untilInteractive(page);
      const hint = page.locator(`#${field}-hint`);
      await expect(hint, where).toHaveText(
        enterIsNewLine
          ? `Enter starts a new line; press ${button} when ready.`
          : `Enter to ${button.toLowerCase()} · Shift+Enter for a new line`,
      );
      const box = (await page.locator(`#${field}`).boundingBox())!;
      const send = page.getByRole("button", { name: button, exact: true });
      const sent = (await send.boundingBox())!;
      const said = (await hint.boundingBox())!;
      // The button is whole: its label on one line and not cut, right under the box at its right edge.
      expect(await send.evaluate((element) => element.scrollWidth <= element.clientWidth), where).toBe(true);
      expect(sent.height, where).toBeLessThan(52);
      expect(sent.y, where).toBeGreaterThanOrEqual(box.y + box.height);
      expect(Math.abs(sent.x + sent.width - (box.x + box.width)), where).toBeLessThan(2);
      const apart =
        said.x + said.width <= sent.x ||
        sent.x + sent.width <= said.x ||
        said.y + said.height <= sent.y ||
        sent.y + sent.height <= said.y;
      expect(apart, `${where}: the hint and the button do not overlap`).toBe(true);
      const lineHeight = await hint.evaluate((element) => parseFloat(getComputedStyle(element).lineHeight));
      // One line of small text, with or without JS: beside Cancel and Save in a narrow edit box it wrapped
      // mid-phrase onto two or three lines.
      expect(said.height, `${where}: the hint on one line`).toBeLessThan(lineHeight * 1.5);
      if (noJs) {
        // Below the row with the button.
        expect(said.y, where).toBeGreaterThanOrEqual(sent.y + sent.height);
      }
    }
  }
});
