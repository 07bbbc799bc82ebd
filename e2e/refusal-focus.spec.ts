/**
 * After a refused form post, focus is on the first field with an error (or, for an error about the whole
 * form, its first field), with JS and without: the keyboard and screen-reader user starts where the fix
 * is, not at the top of the page (found by an outside pass: without JS focus was on <body>).
 */
import { expect, test } from "@playwright/test";
import { signUp, TEST_PASSWORD, uniqueEmail, untilInteractive } from "./support/session";

test.describe("focus after a refused form", () => {
  test("sign-up with a short password: focus is on Password", async ({ page }) => {
    await page.goto("/signup");
    await untilInteractive(page);
    await page.getByLabel("Email").fill(uniqueEmail());
    await page.getByLabel("Password", { exact: true }).fill("short");
    await page.getByRole("button", { name: "Create account" }).click();
    await expect(page.locator("#signup-password-error, .field-error").first()).toBeVisible();
    await expect(page.getByLabel("Password", { exact: true })).toBeFocused();
  });

  test("a wrong sign-in: focus is on Email", async ({ page }) => {
    await page.goto("/login");
    await untilInteractive(page);
    await page.getByLabel("Email").fill(uniqueEmail());
    await page.getByLabel("Password").fill(`${TEST_PASSWORD} wrong`);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await expect(page.getByText("Wrong email or password.")).toBeVisible();
    await expect(page.getByLabel("Email")).toBeFocused();
  });

  test.describe("signed in", () => {
    test.beforeEach(async ({ page }) => {
      await signUp(page);
    });

    test("a new event without a title: focus is on Title", async ({ page }) => {
      await page.goto("/calendar/new");
      await untilInteractive(page);
      await page.getByLabel("Title").fill("");
      await page.getByRole("button", { name: "Create event" }).click();
      await expect(page.locator(".field-error").first()).toBeVisible();
      await expect(page.getByLabel("Title")).toBeFocused();
    });

    test("a subscription without a name: focus goes back up to Name", async ({ page }) => {
      await page.goto("/calendar/subscriptions");
      await untilInteractive(page);
      await page.getByLabel("Address (URL)").fill("https://example.test/holidays.ics");
      await page.getByRole("button", { name: "Subscribe" }).click();
      await expect(page.locator(".field-error").first()).toBeVisible();
      await expect(page.getByLabel("Name")).toBeFocused();
    });
  });
});
