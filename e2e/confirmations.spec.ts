/**
 * Destructive steps ask first and say what happened, with JavaScript on and off: disabling a user is a
 * second step of its own (nothing happens on the first click); deleting one's own account says so.
 */
import { expect, test } from "@playwright/test";
import { promoteToAdmin } from "./support/admin";
import { expectNotice, signUp, untilInteractive } from "./support/session";

test("disabling a user asks first; only the confirmation disables", async ({ page, browser, baseURL }, testInfo) => {
  const adminEmail = await signUp(page, { name: "Confirming Admin" });
  await promoteToAdmin(adminEmail, baseURL!);
  const { javaScriptEnabled } = testInfo.project.use;
  const other = await (await browser.newContext({ baseURL, javaScriptEnabled })).newPage();
  const userEmail = await signUp(other, { name: "To Be Disabled" });
  await other.context().close();

  await page.goto(`/admin/users?${new URLSearchParams({ q: userEmail })}`);
  const row = page.locator("table.data tbody tr", { hasText: userEmail });
  await expect(row).toContainText("active");
  const confirm = row.getByRole("button", { name: `Disable ${userEmail}` });
  await expect(confirm).toBeHidden();
  // The first click only asks.
  await row.getByText("Disable…").click();
  await expect(row.getByText(`Disable ${userEmail}? They are signed out everywhere and cannot sign in.`)).toBeVisible();
  await expect(row).toContainText("active");
  await confirm.click();
  await expectNotice(page, "The account has been disabled and signed out everywhere.");
  await expect(page.locator("table.data tbody tr", { hasText: userEmail })).toContainText("disabled");
});

test("deleting my account asks for my email and then says the account is deleted", async ({ page }) => {
  const email = await signUp(page);
  await page.goto("/settings/data");
  await page.getByLabel(`Type ${email} to confirm`).fill(email);
  await page.getByRole("button", { name: "Delete my account" }).click();
  await expect(page).toHaveURL(/\/$/);
  await expectNotice(page, "Your account and everything in it have been deleted.");
  // Gone for real: signing in again is refused.
  await page.goto("/login");
  await untilInteractive(page);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("correct horse battery staple");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByText("Wrong email or password.")).toBeVisible();
});
