/**
 * The sign-in limit, as a person meets it, with JavaScript on and off: the login page itself says how
 * long to wait (429), keeps the email typed, and never shows an error page. The suite's server runs
 * without rate limits, so this spec starts a second ARES on the same database with a small one.
 */
import { expect, test, type Page } from "@playwright/test";
import { startServer, type ServerProcess } from "../tests/support/server-process";
import { e2eDatabaseUrl } from "./support/admin";

let limited: ServerProcess;

test.beforeAll(async ({ baseURL }) => {
  limited = await startServer({ DATABASE_URL: e2eDatabaseUrl(baseURL!), RATE_LIMIT_AUTH_PER_15_MINUTES: "2" });
});
test.afterAll(async () => {
  await limited?.stop();
});

async function attempt(page: Page, email: string) {
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("not the password");
  const answer = page.waitForResponse(
    (response) => response.request().method() === "POST" && new URL(response.url()).pathname.startsWith("/login"),
  );
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  return answer;
}

test("too many sign-ins: the login page says when to try again, keeps the email, and is a 429", async ({
  page,
}, testInfo) => {
  const email = `limited-${Date.now().toString(36)}@example.test`;
  await page.goto(`${limited.url}/login`);
  for (let i = 0; i < 2; i++) {
    expect((await attempt(page, email)).status()).toBe(400);
    await expect(page.getByRole("alert")).toHaveText("Wrong email or password.");
  }
  const refused = await attempt(page, email);
  expect(refused.status()).toBe(429);
  expect(Number(await refused.headerValue("retry-after"))).toBeGreaterThan(60);
  await expect(page.getByRole("alert")).toHaveText("Too many attempts — try again in 15 min.");
  await expect(page.getByRole("heading", { level: 1, name: "Sign in" })).toBeVisible();
  await expect(page.getByText("Something went wrong")).toHaveCount(0);
  await expect(page.getByLabel("Email")).toHaveValue(email);
  // The password is never sent back: without JS the new page has an empty field; with JS the field
  // simply keeps what was typed, as after a wrong password.
  if (!testInfo.project.use.javaScriptEnabled) await expect(page.getByLabel("Password")).toHaveValue("");
});
