/**
 * Without JS, a form holding a NUL character (pasted binary; PostgreSQL cannot store it) is answered by
 * its own page with what was typed (the NUL shown as �) and the reason; it was the bare 400 page, and
 * everything typed was lost. With JS the field holds the form back (unstorable-text.ts).
 */
import { expect, test } from "@playwright/test";
import { signUp } from "./support/session";

const REASON =
  "What you sent contains a NUL character (shown as �), which cannot be stored, so nothing was saved. Remove it and save again.";

test("a fact and a profile name holding a NUL come back on their page with the reason, not lost", async ({ page }) => {
  await signUp(page);
  await page.goto("/memory");
  const form = page.getByRole("form", { name: "Add a fact" });
  await form.getByLabel("Key").fill("favourite pet");
  await form.getByLabel("Value").fill("a cat called\u0000Tom");
  await form.getByRole("button", { name: "Add fact" }).click();
  await expect(page.getByRole("alert").filter({ hasText: REASON })).toBeVisible();
  await expect(page.getByRole("form", { name: "Add a fact" }).getByLabel("Key")).toHaveValue("favourite pet");
  await expect(page.getByRole("form", { name: "Add a fact" }).getByLabel("Value")).toHaveValue("a cat called\uFFFDTom");
  await expect(page.getByRole("heading", { name: "Bad request" })).toHaveCount(0);

  await page.goto("/settings/profile");
  await page.getByLabel("Name").fill("Ada\u0000Lovelace");
  await page.getByRole("button", { name: "Save profile" }).click();
  await expect(page.getByRole("alert").filter({ hasText: REASON })).toBeVisible();
  await expect(page.getByLabel("Name")).toHaveValue("Ada\uFFFDLovelace");
});
