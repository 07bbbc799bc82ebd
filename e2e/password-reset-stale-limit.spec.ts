/**
 * A reset form left open for an earlier link (a later one opened in another tab since), posted once the
 * sign-in tier's limit is reached: the page says both — how long to wait (a 429 with Retry-After) and that
 * it is now for the later link's account — with JS and without, on a phone. The suite's server runs without
 * rate limits, so this spec starts a second ARES on the same database with a small one.
 */
import { createHash, randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import { startServer, type ServerProcess } from "../tests/support/server-process";
import { e2eDatabaseUrl, withE2eDatabase } from "./support/admin";
import { untilInteractive } from "./support/session";

let limited: ServerProcess;

test.beforeAll(async ({ baseURL }) => {
  limited = await startServer({ DATABASE_URL: e2eDatabaseUrl(baseURL!), RATE_LIMIT_AUTH_PER_15_MINUTES: "2" });
});
test.afterAll(async () => {
  await limited?.stop();
});

test.use({ viewport: { width: 390, height: 844 } });

/** An account with a reset link, made in the database as an admin's "Reset password" does; the link's token. */
async function accountWithLink(baseURL: string, email: string): Promise<string> {
  const token = randomBytes(32).toString("base64url");
  const id = `e2estale${randomBytes(8).toString("hex")}`;
  await withE2eDatabase(baseURL, async (client) => {
    await client.query(`INSERT INTO "User" (id, email, "updatedAt") VALUES ($1, $2, now())`, [id, email]);
    await client.query(
      `INSERT INTO "PasswordResetLink" (id, "userId", "tokenHash", "expiresAt") VALUES ($1, $2, $3, now() + interval '1 hour')`,
      [`${id}link`, id, createHash("sha256").update(token).digest("hex")],
    );
  });
  return token;
}

test("a stale reset form posted past the sign-in limit: the page says to wait, and whose it is now", async ({
  page,
  baseURL,
}) => {
  const stamp = `${Date.now().toString(36)}${randomBytes(2).toString("hex")}`;
  const emails = [`stale-first-${stamp}@example.test`, `stale-second-${stamp}@example.test`];
  const tokens = [await accountWithLink(baseURL!, emails[0]!), await accountWithLink(baseURL!, emails[1]!)];
  await page.goto(`${limited.url}/reset-password/${tokens[0]}`);
  await untilInteractive(page);
  await expect(page.getByText(`For ${emails[0]}. Every session`)).toBeVisible();
  const otherTab = await page.context().newPage();
  await otherTab.goto(`${limited.url}/reset-password/${tokens[1]}`);
  await expect(otherTab.getByText(`For ${emails[1]}. Every session`)).toBeVisible();
  await otherTab.close();

  // The stale form posted twice more (another window of it): the sign-in tier (2 here) is used up.
  const link = (await page.locator('input[name="link"]').getAttribute("value"))!;
  for (let i = 0; i < 2; i++) {
    const posted = await page.request.post(`${limited.url}/reset-password/new`, {
      form: { link, newPassword: "a passphrase posted again" },
      headers: { Origin: limited.url },
      maxRedirects: 0,
    });
    expect(posted.status()).toBe(409);
  }
  await page.getByLabel("New password").fill("a whole new passphrase for summer");
  const answer = page.waitForResponse(
    (response) =>
      response.request().method() === "POST" && new URL(response.url()).pathname.startsWith("/reset-password/new"),
  );
  await page.getByRole("button", { name: "Set password" }).click();
  const refused = await answer;
  expect(refused.status()).toBe(429);
  expect(Number(await refused.headerValue("retry-after"))).toBeGreaterThan(0);
  await expect(page.getByText(/You have sent a lot of requests in a short time\. Try again in \d+ s\./)).toBeVisible();
  await expect(page.getByText(`Nothing was set. This page is now for ${emails[1]}.`)).toBeVisible();
  await expect(page.getByLabel("New password")).toHaveCount(0);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
});
