/**
 * Saving an edit of an event deleted meanwhile (in another tab, on another device) loses nothing: the
 * page says the event is gone and offers the typed values as a new event, JS on and off.
 */
import { expect, test } from "@playwright/test";
import { withE2eDatabase } from "./support/admin";
import { expectNotice, signUp, untilInteractive } from "./support/session";

test("an edit of an event deleted in another tab can be created as a new event with what was typed", async ({
  page,
  baseURL,
}) => {
  const email = await signUp(page);
  await page.goto("/calendar/new?date=2026-03-02");
  await untilInteractive(page);
  await page.getByLabel("Title").fill("Dentist");
  await page.getByLabel("Start date").fill("2026-03-02");
  await page.getByLabel("Start time").fill("10:00");
  await page.getByLabel("End date").fill("2026-03-02");
  await page.getByLabel("End time").fill("10:30");
  await page.getByRole("button", { name: "Create event" }).click();
  await expectNotice(page, "The event has been saved.");

  await page.getByRole("link", { name: "Edit" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Edit event" })).toBeVisible();
  await untilInteractive(page);
  await page.getByLabel("Title").fill("Dentist, moved to eleven");
  await page.getByLabel("Start time").fill("11:00");
  await page.getByLabel("End time").fill("11:30");
  // Deleted elsewhere while the form is open.
  await withE2eDatabase(baseURL!, (client) =>
    client.query(`DELETE FROM "Event" WHERE "userId" = (SELECT id FROM "User" WHERE email = $1)`, [email]),
  );
  await page.getByRole("button", { name: "Save changes" }).click();

  await expect(page.getByRole("heading", { level: 1, name: "Event not found" })).toBeVisible();
  await expect(page.getByRole("alert")).toContainText("This event no longer exists");
  await expect(page.getByLabel("Title")).toHaveValue("Dentist, moved to eleven");
  await expect(page.getByLabel("Start date")).toHaveValue("2026-03-02");
  await expect(page.getByLabel("Start time")).toHaveValue("11:00");
  await expect(page.getByLabel("End time")).toHaveValue("11:30");

  await page.getByRole("button", { name: "Create as new event" }).click();
  await expectNotice(page, "The event has been saved.");
  await expect(page.getByRole("heading", { level: 1, name: "Dentist, moved to eleven" })).toBeVisible();
});
