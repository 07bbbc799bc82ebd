/**
 * Two tabs editing one event: the second save is refused with the typed values kept and the event as it
 * is now shown; saving again then overwrites on purpose. A delete from a tab opened before the save is
 * refused the same way, and deleting again deletes on purpose (JS on and off).
 */
import { expect, test } from "@playwright/test";
import { expectNotice, signUp, untilInteractive } from "./support/session";

test("a save from a tab opened before another tab's save asks to save again, keeping what was typed", async ({
  page,
  context,
}) => {
  await signUp(page);
  await page.goto("/calendar/new?date=2026-03-02");
  await untilInteractive(page);
  await page.getByLabel("Title").fill("Dentist");
  await page.getByRole("button", { name: "Create event" }).click();
  await expectNotice(page, "The event has been saved.");
  const editUrl = new URL(page.url()).pathname + "/edit";

  const other = await context.newPage();
  await other.goto(editUrl);
  await untilInteractive(other);
  await page.goto(editUrl);
  await untilInteractive(page);

  await other.getByLabel("Title").fill("Dentist (other tab)");
  await other.getByRole("button", { name: "Save changes" }).click();
  await expectNotice(other, "The event has been saved.");

  await page.getByLabel("Title").fill("Dentist (this tab)");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByRole("alert")).toContainText("This event was changed in another tab or by the assistant");
  await expect(page.getByText("Saved now:")).toBeVisible();
  await expect(page.locator(".saved-now")).toContainText("Dentist (other tab)");
  await expect(page.getByLabel("Title")).toHaveValue("Dentist (this tab)");

  await page.getByRole("button", { name: "Save changes" }).click();
  await expectNotice(page, "The event has been saved.");
  await expect(page.getByRole("heading", { level: 1, name: "Dentist (this tab)" })).toBeVisible();
});

test("a delete from a tab opened before another tab's save asks again, showing the event as it is now", async ({
  page,
  context,
}) => {
  await signUp(page);
  await page.goto("/calendar/new?date=2026-03-02");
  await untilInteractive(page);
  await page.getByLabel("Title").fill("Dentist");
  await page.getByRole("button", { name: "Create event" }).click();
  await expectNotice(page, "The event has been saved.");
  const eventUrl = new URL(page.url()).pathname;

  await page.goto(`${eventUrl}/delete`);
  await untilInteractive(page);
  const other = await context.newPage();
  await other.goto(`${eventUrl}/edit`);
  await untilInteractive(other);
  await other.getByLabel("Title").fill("Dentist (moved)");
  await other.getByRole("button", { name: "Save changes" }).click();
  await expectNotice(other, "The event has been saved.");

  // Deleting from the older page deleted the changed event unseen.
  await page.getByRole("button", { name: "Delete" }).click();
  await expect(page.getByRole("alert")).toContainText(
    "This event was changed in another tab or by the assistant since you opened it. Nothing was deleted",
  );
  await expect(page.locator(".saved-now")).toContainText("Dentist (moved)");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Delete “Dentist (moved)”?");

  await page.getByRole("button", { name: "Delete" }).click();
  await expectNotice(page, "Deleted: it is no longer in your calendar.");
  expect((await other.goto(eventUrl))?.status()).toBe(404);
});

test("a repeating event's delete keeps its choice when refused as changed since, and deleting again does it", async ({
  page,
  context,
}) => {
  await signUp(page);
  await page.goto("/calendar/new?date=2026-03-02");
  await untilInteractive(page);
  await page.getByLabel("Title").fill("Standup");
  await page.getByLabel("Repeats").selectOption("WEEKLY");
  await page.getByLabel("Mon", { exact: true }).check();
  await page.getByRole("button", { name: "Create event" }).click();
  await expectNotice(page, "The event has been saved.");
  const eventUrl = new URL(page.url()).pathname;

  await page.goto(`${eventUrl}/delete?occurrence=2026-03-16T09:00`);
  await untilInteractive(page);
  const other = await context.newPage();
  await other.goto(`${eventUrl}/edit`);
  await untilInteractive(other);
  await other.getByLabel("Title").fill("Standup (renamed)");
  await other.getByRole("button", { name: "Save changes" }).click();
  await expectNotice(other, "The event has been saved.");

  await page.getByLabel("This and following events").check();
  await page.getByRole("button", { name: "Delete" }).click();
  await expect(page.getByRole("alert")).toContainText("since you opened it. Nothing was deleted");
  await expect(page.locator(".saved-now")).toContainText("Standup (renamed)");
  await expect(page.getByLabel("This and following events")).toBeChecked();

  await page.getByRole("button", { name: "Delete" }).click();
  await expectNotice(page, "Deleted: it is no longer in your calendar.");
  await other.goto("/calendar?view=agenda&date=2026-03-01");
  // This and following from 16 March: the two dates before it are left.
  const starts = await other
    .locator("main li", { hasText: "Standup (renamed)" })
    .locator("time[datetime]")
    .evaluateAll((nodes) => nodes.map((node) => node.getAttribute("datetime")));
  expect([...new Set(starts)]).toEqual(["2026-03-02T09:00:00+00:00", "2026-03-09T09:00:00+00:00"]);
});

test("an edit form whose version was altered is refused with the event as it is now, keeping what was typed", async ({
  page,
}) => {
  await signUp(page);
  await page.goto("/calendar/new?date=2026-03-02");
  await untilInteractive(page);
  await page.getByLabel("Title").fill("Dentist");
  await page.getByRole("button", { name: "Create event" }).click();
  await expectNotice(page, "The event has been saved.");
  await page.goto(new URL(page.url()).pathname + "/edit");
  await untilInteractive(page);
  const version = page.locator('input[name="version"]');
  const loaded = await version.inputValue();
  // A crafted or garbled form: not "changed in another tab" (nothing was), and not saved unchecked.
  await page.getByLabel("Title").fill("Dentist (typed)");
  // Altered and submitted in one task: a re-render in between (the root's data revalidating) would put the
  // loaded version back into the controlled field, and the form would be saved as it should be.
  await version.evaluate((input: HTMLInputElement) => {
    input.value = "zzz";
    const save = [...document.querySelectorAll("button")].find(
      (button) => button.textContent?.trim() === "Save changes",
    );
    save!.click();
  });
  await expect(page.getByRole("alert")).toContainText(
    "This form is out of date or was altered; here is the event as it is now.",
  );
  await expect(page.getByRole("alert")).not.toContainText("another tab");
  await expect(page.locator(".saved-now")).toContainText("Dentist");
  await expect(page.getByLabel("Title")).toHaveValue("Dentist (typed)");
  await expect(version).toHaveValue(loaded);

  await page.getByRole("button", { name: "Save changes" }).click();
  await expectNotice(page, "The event has been saved.");
  await expect(page.getByRole("heading", { level: 1, name: "Dentist (typed)" })).toBeVisible();
});
