import type { Page } from "@playwright/test";
import { expectNotice } from "./session";

/** Sets my time zone on the profile page (JS on and off), as the calendar specs start from a known zone. */
export async function useZone(page: Page, zone: string): Promise<void> {
  await page.goto("/settings/profile");
  await page.getByLabel("Time zone").selectOption(zone);
  await page.getByRole("button", { name: "Save profile" }).click();
  // The notice is a one-time cookie now, not ?saved=1 in the address.
  await expectNotice(page, "Your profile has been saved.");
}
