import { expect, test } from "@playwright/test";
import { signUp } from "./support/session";

const pad = (value: number) => String(value).padStart(2, "0");

test("an event reminder appears under the bell and on /notifications, and leads to the event", async ({
  page,
  baseURL,
}) => {
  test.setTimeout(180_000);
  await signUp(page);

  // The person's zone is UTC (the default). The reminder is "at the start", a whole minute 40–100 s away.
  const start = new Date(Math.ceil((Date.now() + 40_000) / 60_000) * 60_000);
  const end = new Date(start.getTime() + 30 * 60_000);
  const day = (date: Date) => `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
  const time = (date: Date) => `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}`;
  await page.goto(`/calendar/new?date=${day(start)}`);
  await page.getByLabel("Title").fill("Dentist");
  await page.getByLabel("Start date").fill(day(start));
  await page.getByLabel("Start time").fill(time(start));
  await page.getByLabel("End date").fill(day(end));
  await page.getByLabel("End time").fill(time(end));
  await page.getByLabel("Time zone").selectOption("UTC");
  await page.getByLabel("Reminders").fill("0");
  await page.getByRole("button", { name: "Create event" }).click();
  await expect(page.getByText("The event has been saved.")).toBeVisible();
  const eventUrl = new URL(page.url()).pathname;

  await page.goto("/calendar");
  await expect(page.getByRole("link", { name: "Notifications", exact: true })).toBeVisible();
  // The minute's scan runs now rather than at the next whole minute (a test-only trigger), until it is due.
  await expect
    .poll(
      async () => {
        await page.request.post("/test-only/scan/reminders", { form: {}, headers: { Origin: baseURL! } });
        await page.reload();
        return page.getByRole("link", { name: "Notifications, 1 unread" }).count();
      },
      { timeout: 150_000, intervals: [5_000] },
    )
    .toBe(1);

  await page.getByRole("link", { name: "Notifications, 1 unread" }).click();
  await expect(page).toHaveURL(/\/notifications$/);
  await page.getByRole("button", { name: "Dentist — starts now", exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`${eventUrl}$`));
  await expect(page.getByRole("link", { name: "Notifications", exact: true })).toBeVisible();
});
