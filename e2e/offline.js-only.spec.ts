import { expect, test } from "@playwright/test";

test("the offline banner appears when the browser goes offline and leaves when it is back", async ({
  page,
  context,
}) => {
  await page.goto("/");
  await expect(page.locator("html")).toBeAttached();
  await page.waitForFunction(() => "__remixRouter" in window);
  await context.setOffline(true);
  await expect(page.getByRole("status")).toContainText("ARES cannot be reached");
  await context.setOffline(false);
  await expect(page.getByRole("status")).toHaveCount(0);
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
  await expect(page.getByRole("status")).toContainText("ARES cannot be reached");
});
