/**
 * An operator on /admin/jobs, with JavaScript on and off: a job that failed elsewhere shows with its
 * error and attempts; Retry queues it again and ARES's worker runs it.
 */
import { expect, test } from "@playwright/test";
import { failJobElsewhere } from "../tests/support/jobs";
import { e2eDatabaseUrl, promoteToAdmin } from "./support/admin";
import { expectNotice, signUp } from "./support/session";

const QUEUE = "sessions.purge-ended";

test("an admin sees a failed job on /admin/jobs and retries it", async ({ page, baseURL }) => {
  page.on("response", (response) => {
    expect(response.status(), `${response.request().method()} ${response.url()}`).toBeLessThan(500);
  });
  const email = await signUp(page);
  await promoteToAdmin(email, baseURL!);
  const error = `the calendar server timed out (${test.info().project.name})`;
  const id = await failJobElsewhere(e2eDatabaseUrl(baseURL!), QUEUE, error);

  await page.goto("/admin");
  await page.getByRole("navigation", { name: "Admin" }).getByRole("link", { name: "Jobs" }).click();
  await expect(page).toHaveURL(/\/admin\/jobs$/);
  await expect(page.getByRole("heading", { name: "Background jobs" })).toBeVisible();
  await expect(page.getByRole("row").filter({ hasText: QUEUE }).first()).toBeVisible();
  const row = page.getByRole("row").filter({ hasText: id });
  await expect(row).toContainText(error);
  await expect(row.getByRole("cell").nth(3)).toHaveText("1");

  await row.getByRole("button", { name: "Retry" }).click();
  await expect(page).toHaveURL(/\/admin\/jobs$/);
  await expectNotice(page, "The job is queued again.");
  // ARES's own worker runs it (polling every second): it leaves the failed list.
  await expect(async () => {
    await page.goto("/admin/jobs");
    await expect(page.getByRole("row").filter({ hasText: id })).toHaveCount(0);
  }).toPass({ timeout: 15_000 });
});
