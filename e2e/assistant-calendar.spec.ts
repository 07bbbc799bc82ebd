import { expect, test, type Page } from "@playwright/test";
import { untilReplyEnds } from "./support/chat";
import { useZone } from "./support/calendar";
import { signUp } from "./support/session";

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

  test("Cancel creates nothing", async ({ page }) => {
    const title = `Haircut ${Date.now().toString(36)}`;
    const { card } = await propose(page, title);
    await card.getByRole("button", { name: "Cancel" }).click();
    await expect(card).toHaveAttribute("data-status", "cancelled");
    await expect(card).toContainText("nothing was changed");
    await expect(card.getByRole("button")).toHaveCount(0);
    expect(await agendaStarts(page, title)).toEqual([]);
  });
});
