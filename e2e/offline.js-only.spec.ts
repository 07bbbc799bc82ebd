import { expect, test } from "@playwright/test";

test("the offline banner appears when the browser goes offline and leaves when it is back", async ({
  page,
  context,
}) => {
  await page.goto("/");
  await expect(page.locator("html")).toBeAttached();
  await page.waitForFunction(() => "__remixRouter" in window);
  await context.setOffline(true);
  // The page has other status regions (the one-time notice's); the banner is the one saying this.
  const banner = page.getByRole("status").filter({ hasText: "ARES cannot be reached" });
  await expect(banner).toBeVisible();
  await context.setOffline(false);
  await expect(banner).toHaveCount(0);
});

test("a navigation that cannot reach the server shows the offline banner", async ({ page, context }) => {
  await page.goto("/");
  await page.waitForFunction(() => "__remixRouter" in window);
  await context.route("**/*.data*", (route) => route.abort("internetdisconnected"));
  await page.evaluate(() =>
    (window as unknown as { __remixRouter: { navigate(to: string): Promise<void> } }).__remixRouter.navigate(
      "/no/such/page",
    ),
  );
  await expect(page.getByRole("status").filter({ hasText: "ARES cannot be reached" })).toBeVisible();
});
