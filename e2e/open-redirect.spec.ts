/**
 * Finding 1 (open redirect after sign-in) as the browser lives it: with JavaScript on, Remix's client
 * router follows the redirect itself, so what matters is where the browser ends up, not the header.
 */
import { expect, test } from "@playwright/test";
import { signUp, TEST_PASSWORD } from "./support/session";

const HOSTILE = ["/.//evil.example/phish", "/%2e%2e//evil.example", "//evil.example", "/\\evil.example"];

test("finding 1: signing in with a hostile redirectTo stays on ARES", async ({ page, baseURL }) => {
  // Four sign-ins and sign-outs.
  test.slow();
  const email = await signUp(page);
  await page.getByRole("navigation", { name: "Main" }).getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login\?reason=signed_out/);
  const requested: string[] = [];
  page.on("request", (request) => requested.push(new URL(request.url()).host));

  for (const target of HOSTILE) {
    await page.goto(`/login?${new URLSearchParams({ redirectTo: target })}`);
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(TEST_PASSWORD);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await expect(page).toHaveURL((url) => url.origin === baseURL && url.pathname === "/");
    // Signed in now: the login page sends a signed-in visitor on, and must not send them away either.
    await page.goto(`/login?${new URLSearchParams({ redirectTo: target })}`);
    await expect(page).toHaveURL((url) => url.origin === baseURL && url.pathname === "/");
    await page.getByRole("navigation", { name: "Main" }).getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/login\?reason=signed_out/);
  }
  expect(requested.filter((host) => host.includes("evil.example"))).toEqual([]);
});
