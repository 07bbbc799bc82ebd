import { expect, test } from "@playwright/test";
import { signUp } from "./support/session";

test("the home page renders inside the app shell", async ({ page }) => {
  const response = await page.goto("/");
  expect(response?.status()).toBe(200);
  await expect(page).toHaveTitle(/ARES/);
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
  await expect(page.getByRole("heading", { level: 1, name: "ARES" })).toBeVisible();
  await expect(page.locator('link[rel="icon"]')).toHaveAttribute("href", "/favicon.svg");
});

test("an unknown address sends a visitor to sign in first", async ({ page }) => {
  await page.goto("/no/such/page");
  await expect(page).toHaveURL(/\/login\?redirectTo=%2Fno%2Fsuch%2Fpage/);
});

test("an unknown address shows the 404 page in the layout", async ({ page }) => {
  await signUp(page);
  const response = await page.goto("/no/such/page");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
  await page.getByRole("link", { name: "Go to the home page" }).click();
  await expect(page).toHaveURL(/\/$/);
});

test("an unexpected server error shows the friendly error page with a request id and no stack trace", async ({
  page,
}) => {
  const response = await page.goto("/test-only/error");
  expect(response?.status()).toBe(500);
  await expect(page.getByRole("heading", { name: "Something went wrong" })).toBeVisible();
  const requestId = response?.headers()["x-request-id"];
  expect(requestId).toBeTruthy();
  await expect(page.locator(".error-page__id code")).toHaveText(requestId!);
  await expect(page.locator("body")).not.toContainText("Deliberate failure");
  await expect(page.locator("body")).not.toContainText("at loader");
});

test("liveness answers without touching the database", async ({ request }) => {
  const response = await request.get("/api/v1/health/live");
  expect(response.status()).toBe(200);
  expect(await response.json()).toEqual({ status: "ok" });
});

test("JavaScript is on or off as the project says", async ({ page, javaScriptEnabled }) => {
  await page.goto("/");
  // With JS off, page.evaluate still runs in the page, but the app's router never starts.
  const routerStarted = await page.evaluate(() => "__remixRouter" in window);
  expect(routerStarted).toBe(javaScriptEnabled);
});
