/**
 * An admin's "Reset password" link end to end, with JavaScript on and off: the admin makes the link on the
 * person's page, the person (signed out, another browser) sets a new password with it and signs in; the link
 * then says it was used. Opened, the link's token leaves the address at once (a cookie carries it to the form).
 * Used by an admin signed in (their own browser), the page says whose password was set; two links opened in two
 * tabs: the later wins, and the earlier tab's form says so and shows the later's form only when asked.
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
  // Three people signed up and a page or two each: a loaded machine takes over the default minute.
  test.setTimeout(180_000);
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
  await visitor.setViewportSize({ width: 390, height: 800 });
  await visitor.goto(link);
  // The token is gone from the address bar (and so from the history and every Referer of the page).
  expect(new URL(visitor.url()).pathname).toBe("/reset-password/new");
  await untilInteractive(visitor);
  await expect(visitor.getByText(`For ${personEmail}.`)).toBeVisible();
  expect(await visitor.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
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

test("used by an admin in their own browser, the page says whose password is set; of two tabs' links the later wins", async ({
  page,
  browser,
}, testInfo) => {
  // Three people signed up and a page or two each: a loaded machine takes over the default minute.
  test.setTimeout(180_000);
  const adminEmail = await signUp(page, { name: "Tab Admin" });
  await promoteToAdmin(adminEmail, testInfo.project.use.baseURL!);
  const people = [await secondBrowser(browser, testInfo), await secondBrowser(browser, testInfo)];
  const emails = [
    await signUp(people[0]!, { name: "First Person" }),
    await signUp(people[1]!, { name: "Second Person" }),
  ];
  const links: string[] = [];
  for (const email of emails) {
    await page.goto(`/admin/users?${new URLSearchParams({ q: email })}`);
    await page.getByRole("link", { name: email }).click();
    await untilInteractive(page);
    await page.getByRole("button", { name: "Reset password" }).click();
    links.push((await page.locator("code.reset-link").textContent())!);
  }
  await page.setViewportSize({ width: 390, height: 800 });

  // Two tabs of the admin's browser: the first link's form, then the second link opened in another tab.
  const firstTab = page;
  await firstTab.goto(links[0]!);
  await untilInteractive(firstTab);
  await expect(firstTab.getByText(`For ${emails[0]}. Every session`)).toBeVisible();
  const secondTab = await page.context().newPage();
  await secondTab.goto(links[1]!);
  await expect(secondTab.getByText(`For ${emails[1]}. Every session`)).toBeVisible();
  await secondTab.close();

  await firstTab.getByLabel("New password").fill(NEW_PASSWORD);
  await firstTab.getByRole("button", { name: "Set password" }).click();
  await expect(firstTab.getByText(`Nothing was set. This page is now for ${emails[1]}.`)).toBeVisible();
  // No form of the later link stands ready: going on for that account is a step of its own.
  await expect(firstTab.getByLabel("New password")).toHaveCount(0);
  expect(await firstTab.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await firstTab.getByRole("link", { name: `Continue for ${emails[1]}` }).click();
  await expect(firstTab.getByText(`For ${emails[1]}. Every session`)).toBeVisible();

  await firstTab.getByLabel("New password").fill(NEW_PASSWORD);
  await firstTab.getByRole("button", { name: "Set password" }).click();
  await expect(firstTab.getByText(`The new password of ${emails[1]} is set`)).toBeVisible();
  await expect(firstTab.getByText(`This browser is still signed in as ${adminEmail}`)).toBeVisible();
  expect(new URL(firstTab.url()).pathname).toBe("/reset-password/new");
  expect(await firstTab.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  // Still signed in as the admin.
  await firstTab.goto("/admin/users");
  await expect(firstTab).toHaveURL(/\/admin\/users$/);
  for (const person of people) await person.context().close();
});
