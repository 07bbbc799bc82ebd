/**
 * Two tabs editing one event: the second save is refused with the typed values kept and the event as it
 * is now shown; saving again then overwrites on purpose (JS on and off).
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
