/**
 * An admin's "Reset password" link end to end, with JavaScript on and off: the admin makes the link on the
 * person's page, the person (signed out, another browser) sets a new password with it and signs in; the link
 * then says it was used.
 */
import { expect, test, type Browser, type Page, type TestInfo } from "@playwright/test";
import { promoteToAdmin } from "./support/admin";
import { signUp, untilInteractive } from "./support/session";

const NEW_PASSWORD = "a whole new passphrase for spring";

async function secondBrowser(browser: Browser, testInfo: TestInfo): Promise<Page> {
  const { baseURL, javaScriptEnabled } = testInfo.project.use;
  return (await browser.newContext({ baseURL, javaScriptEnabled })).newPage();
}

test("an admin's reset link lets a person set a new password once, then sign in with it", async ({
  page,
  browser,
}, testInfo) => {
  const adminEmail = await signUp(page, { name: "Reset Admin" });
  await promoteToAdmin(adminEmail, testInfo.project.use.baseURL!);
  const person = await secondBrowser(browser, testInfo);
  const personEmail = await signUp(person, { name: "Forgetful Person" });

  await page.goto(`/admin/users?${new URLSearchParams({ q: personEmail })}`);
  await page.getByRole("link", { name: personEmail }).click();
  await untilInteractive(page);
  await page.getByRole("button", { name: "Reset password" }).click();
  const link = (await page.locator("code.reset-link").textContent())!;
  expect(link).toMatch(/\/reset-password\/[\w-]{43}$/);
  // On a phone the long link wraps: the page does not scroll sideways.
  await page.setViewportSize({ width: 390, height: 800 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  // Shown once, after a redirect: a reload neither shows it again nor posts for a new one (which would end it).
  await page.reload();
  await expect(page.getByRole("heading", { name: personEmail })).toBeVisible();
  await expect(page.locator("code.reset-link")).toHaveCount(0);

  const visitor = await secondBrowser(browser, testInfo);
  await visitor.goto(link);
  await untilInteractive(visitor);
  await expect(visitor.getByText(`For ${personEmail}.`)).toBeVisible();
  await visitor.getByLabel("New password").fill("password1234");
  await visitor.getByRole("button", { name: "Set password" }).click();
  await expect(visitor.getByText("That password is too easy to guess")).toBeVisible();
  await visitor.getByLabel("New password").fill(NEW_PASSWORD);
  await visitor.getByRole("button", { name: "Set password" }).click();
  await visitor.waitForURL((url) => url.pathname === "/login" && url.searchParams.get("reason") === "password_reset");
  await expect(visitor.getByText("Your new password is set. Sign in with it.")).toBeVisible();
  await untilInteractive(visitor);
  await expect(visitor.getByLabel("Email")).toHaveValue(personEmail);
  await visitor.getByLabel("Password").fill(NEW_PASSWORD);
  await visitor.getByRole("button", { name: "Sign in", exact: true }).click();
  await visitor.waitForURL((url) => url.pathname === "/");

  // The person's old session ended with the reset.
  await person.goto("/settings/profile");
  await expect(person).toHaveURL(/\/login\?/);

  await visitor.goto(link);
  await expect(visitor.getByText("This link has already been used")).toBeVisible();
  await person.context().close();
  await visitor.context().close();
});
