import { expect, test, type Page } from "@playwright/test";

export const TEST_PASSWORD = "correct horse battery staple";

export function uniqueEmail(prefix = "person"): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}@example.test`;
}

/**
 * With JS on, waits until React has hydrated the page (app/root.tsx marks <html>): text typed into a
 * field before that can be reset by hydration, which made sign-ups flaky on a loaded machine.
 */
export async function untilInteractive(page: Page): Promise<void> {
  if (test.info().project.use.javaScriptEnabled === false) return;
  await page.locator("html[data-hydrated]").waitFor({ state: "attached" });
}

/**
 * Signs up a new account and signs in through the real forms (JS on and off); waits for the home page.
 * `origin` is another ARES than the suite's (a spec's own server), when given.
 */
export async function signUp(
  page: Page,
  options: { email?: string; name?: string; origin?: string } = {},
): Promise<string> {
  const email = options.email ?? uniqueEmail();
  await page.goto(`${options.origin ?? ""}/signup`);
  await untilInteractive(page);
  if (options.name) await page.getByLabel("Name (optional)").fill(options.name);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(TEST_PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  // Sign-up answers the same for new and taken addresses, so it never signs in: the person does.
  await page.waitForURL((url) => url.pathname === "/login" && url.searchParams.get("reason") === "account_ready");
  // With JS the address changes a moment before the sign-in page replaces the sign-up form (both have an
  // Email field): typing then went into the leaving form.
  await expect(page.getByRole("heading", { level: 1, name: "Sign in" })).toBeVisible();
  await signInHere(page, email);
  await page.waitForURL((url) => url.pathname === "/");
  return email;
}

/** Signs in to an existing account through the real form. */
export async function signIn(page: Page, email: string): Promise<void> {
  await page.goto("/login");
  await untilInteractive(page);
  await signInHere(page, email);
  await page.waitForURL((url) => url.pathname !== "/login");
}

async function signInHere(page: Page, email: string): Promise<void> {
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(TEST_PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

/**
 * A one-time notice after a form's redirect (app/components/one-time-notice.tsx): on the page, and with
 * JS in the live region, where screen readers announce it.
 */
export async function expectNotice(page: Page, text: string | RegExp): Promise<void> {
  if (test.info().project.use.javaScriptEnabled === false) {
    await expect(page.locator(".notice").filter({ hasText: text })).toBeVisible();
  } else {
    await expect(page.getByRole("status").filter({ hasText: text })).toBeVisible();
  }
}
