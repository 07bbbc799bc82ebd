import { expect, test, type Page } from "@playwright/test";
import { untilReplyEnds } from "./support/chat";
import { withE2eDatabase } from "./support/admin";
import { useZone } from "./support/calendar";
import { expectNotice, signUp, untilInteractive } from "./support/session";

// The assistant proposes calendar changes; nothing happens until I confirm on the card (JS on and off).

const proposal = (title: string) =>
  `[[stub:tool=create_event,args=${JSON.stringify({
    title,
    start: "2027-02-09T08:30",
    end: "2027-02-09T09:15",
    location: "Main St 5",
  })}]] Please book ${title}`;

/** Asks for the event and waits for the reply with its card. */
async function propose(page: Page, title: string) {
  await page.goto("/chat");
  await page.getByLabel("Message").fill(proposal(title));
  await page.getByRole("button", { name: "Send" }).click();
  // A conversation opens at its newest message (#latest).
  await page.waitForURL(/\/chat\/[a-z0-9]+(#latest)?$/);
  await untilReplyEnds(page);
  await expect(page.locator('.message--assistant[data-status="complete"]').last()).toBeVisible({ timeout: 15_000 });
  const card = page.getByTestId("calendar-action");
  await expect(card).toHaveAttribute("data-status", "pending");
  await expect(card).toContainText(`Create “${title}”`);
  await expect(card).toContainText("Tuesday 9 February 2027, 08:30–09:15 (Europe/Berlin)");
  await expect(page.locator(".message--assistant").last()).toContainText("awaiting the person's confirmation");
  return { card, chat: page.url() };
}

/** The starts of `title` in the agenda around the proposed date. */
async function agendaStarts(page: Page, title: string) {
  await page.goto("/calendar?view=agenda&date=2027-02-01");
  return page
    .locator("main li", { hasText: title })
    .locator("time[datetime]")
    .evaluateAll((nodes) => nodes.map((node) => node.getAttribute("datetime")));
}

test.describe("the assistant's calendar changes wait for me", () => {
  test.beforeEach(async ({ page }) => {
    await signUp(page);
    await useZone(page, "Europe/Berlin");
  });

  test("Confirm creates exactly one event, shown in the agenda; Undo removes it", async ({ page }) => {
    const title = `Dentist ${Date.now().toString(36)}`;
    const { card, chat } = await propose(page, title);
    expect(await agendaStarts(page, title)).toEqual([]);

    await page.goto(chat);
    await card.getByRole("button", { name: "Confirm" }).click();
    await expect(card).toHaveAttribute("data-status", "confirmed");
    await expect(card.getByRole("button", { name: "Confirm" })).toHaveCount(0);
    expect(await agendaStarts(page, title)).toEqual(["2027-02-09T08:30:00+01:00"]);

    await page.goto(chat);
    await card.getByRole("button", { name: "Undo" }).click();
    await expect(card).toHaveAttribute("data-status", "undone");
    expect(await agendaStarts(page, title)).toEqual([]);
  });

  test("an Undo refused (already undone in another tab) says why on the page it lands on", async ({ page }) => {
    // A refused Undo redirected back to the card without a word.
    const title = `Dentist ${Date.now().toString(36)}`;
    const { card, chat } = await propose(page, title);
    await card.getByRole("button", { name: "Confirm" }).click();
    await expect(card).toHaveAttribute("data-status", "confirmed");

    const other = await page.context().newPage();
    await other.goto(chat);
    const otherCard = other.getByTestId("calendar-action");
    await otherCard.getByRole("button", { name: "Undo" }).click();
    await expect(otherCard).toHaveAttribute("data-status", "undone");
    await expect(otherCard.getByRole("alert")).toHaveCount(0);
    await other.close();

    // This tab still shows the Undo it was opened with.
    await card.getByRole("button", { name: "Undo" }).click();
    await expect(card.getByRole("alert")).toHaveText("Not undone: this change was already undone.");
    await expect(card).toHaveAttribute("data-status", "undone");
    expect(await agendaStarts(page, title)).toEqual([]);
  });

  test("an Undo over an edit made since on the calendar is refused, and the edit stays", async ({ page }) => {
    const title = `Dentist ${Date.now().toString(36)}`;
    const { card, chat } = await propose(page, title);
    await card.getByRole("button", { name: "Confirm" }).click();
    await expect(card).toHaveAttribute("data-status", "confirmed");

    await page.goto("/calendar?view=agenda&date=2027-02-01");
    await page.getByRole("link", { name: title }).first().click();
    await page.waitForURL(/\/calendar\/events\/[^/]+$/);
    await page.goto(`${new URL(page.url()).pathname}/edit`);
    await untilInteractive(page);
    await page.getByLabel("Title").fill(`${title} (moved)`);
    await page.getByRole("button", { name: "Save changes" }).click();
    await expectNotice(page, "The event has been saved.");

    // Undo put the proposal's "before" back over the edit, unseen.
    await page.goto(chat);
    await card.getByRole("button", { name: "Undo" }).click();
    await expect(card.getByRole("alert")).toHaveText(
      "Not undone: the event was changed again since, and that change stays.",
    );
    await expect(card.getByRole("button", { name: "Undo" })).toHaveCount(0);
    expect(await agendaStarts(page, `${title} (moved)`)).toEqual(["2027-02-09T08:30:00+01:00"]);
  });

  test("a Confirm of a change to an event edited since it was proposed applies nothing and says why", async ({
    page,
  }) => {
    const title = `Yoga ${Date.now().toString(36)}`;
    await page.goto("/calendar/new?date=2027-02-09");
    await untilInteractive(page);
    await page.getByLabel("Title").fill(title);
    await page.getByRole("button", { name: "Create event" }).click();
    await expectNotice(page, "The event has been saved.");
    const eventUrl = new URL(page.url()).pathname;
    const eventId = eventUrl.split("/").at(-1)!;

    await page.goto("/chat");
    const marker = `[[stub:tool=update_event,args=${JSON.stringify({ event_id: eventId, title: "Pilates" })}]] rename`;
    await page.getByLabel("Message").fill(marker);
    await page.getByRole("button", { name: "Send" }).click();
    await page.waitForURL(/\/chat\/[a-z0-9]+(#latest)?$/);
    await untilReplyEnds(page);
    const card = page.getByTestId("calendar-action");
    await expect(card).toHaveAttribute("data-status", "pending");
    const chat = page.url();

    await page.goto(`${eventUrl}/edit`);
    await untilInteractive(page);
    await page.getByLabel("Title").fill(`${title} (renamed by me)`);
    await page.getByRole("button", { name: "Save changes" }).click();
    await expectNotice(page, "The event has been saved.");

    await page.goto(chat);
    await card.getByRole("button", { name: "Confirm" }).click();
    await expect(card).toHaveAttribute("data-status", "cancelled");
    await expect(card).toContainText(
      "Not applied: the event was changed since this was proposed, and nothing was changed.",
    );
    await page.goto(eventUrl);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(`${title} (renamed by me)`);
  });

  test("Cancel creates nothing", async ({ page }) => {
    const title = `Haircut ${Date.now().toString(36)}`;
    const { card } = await propose(page, title);
    await card.getByRole("button", { name: "Cancel" }).click();
    await expect(card).toHaveAttribute("data-status", "cancelled");
    await expect(card).toContainText("nothing was changed");
    await expect(card.getByRole("button")).toHaveCount(0);
    expect(await agendaStarts(page, title)).toEqual([]);
  });

  test("a Confirm on a conversation deleted elsewhere says the change is not there, in words of its own", async ({
    page,
    baseURL,
  }) => {
    // With JS the route's boundary said "Page not found / There is nothing at this address", without JS
    // "Not found" above the card's words.
    const title = `Dentist ${Date.now().toString(36)}`;
    const { card, chat } = await propose(page, title);
    await withE2eDatabase(baseURL!, (client) =>
      client.query(`DELETE FROM "Conversation" WHERE id = $1`, [new URL(chat).pathname.split("/")[2]]),
    );
    await card.getByRole("button", { name: "Confirm" }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Change not found");
    await expect(page.getByText("This change is not there to confirm, cancel or undo")).toBeVisible();
    await expect(page.getByText("There is nothing at this address")).toHaveCount(0);
    await expect(page).toHaveTitle(/^Change not found/);
    expect(await agendaStarts(page, title)).toEqual([]);
  });
});
