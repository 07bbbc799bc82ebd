/**
 * What a form shows after it is sent, with JS and without: a refused entry stays as typed beside its
 * message, in view; a saved one leaves an add form empty for the next (found by an outside QA pass).
 */
import { expect, test, type Page } from "@playwright/test";
import { untilReplyEnds } from "./support/chat";
import { expectNotice, signUp } from "./support/session";

/** A conversation long enough that its newest message is a scroll away from its header. */
async function longConversation(page: Page): Promise<void> {
  await page.goto("/chat");
  await page.getByLabel("Message").fill("Tell me about herons");
  await page.getByRole("button", { name: "Send" }).click();
  await page.waitForURL(/\/chat\/[a-z0-9]+(#latest)?$/);
  await untilReplyEnds(page);
  await expect(page.locator('.message--assistant[data-status="complete"]').last()).toBeVisible({ timeout: 15_000 });
  for (const message of ["And egrets?", "And storks?"]) {
    await page.getByRole("textbox", { name: "Message" }).fill(message);
    await page.getByRole("button", { name: "Send" }).click();
    await untilReplyEnds(page);
    await expect(page.locator('.message--assistant[data-status="complete"]')).toHaveCount(
      message === "And egrets?" ? 2 : 3,
      { timeout: 15_000 },
    );
  }
}

test.describe("form feedback", () => {
  test.describe.configure({ timeout: 120_000 });

  test.beforeEach(async ({ page }) => {
    await signUp(page);
  });

  test("a blank title: the rename panel says so, keeps what was typed and stays in view", async ({ page }) => {
    await page.setViewportSize({ width: 1280, height: 500 });
    await longConversation(page);
    const path = new URL(page.url()).pathname;
    await page.goto(`${path}?panel=rename`);
    const field = page.getByLabel("New title");
    await expect(field).toBeInViewport();
    await field.fill("    ");
    await page.getByRole("button", { name: "Save title" }).click();
    const message = page.locator("#rename-title-error");
    await expect(message).toHaveText("Enter a title.");
    await expect(field).toHaveValue("    ");
    await expect(field).toHaveAttribute("aria-describedby", "rename-title-error");
    await expect(message).toBeInViewport();
    await expect(field).toBeInViewport();
  });

  test("a saved fact or preference leaves its add form empty", async ({ page }) => {
    await page.goto("/memory");
    const fact = page.getByRole("form", { name: "Add a fact" });
    await fact.getByLabel("Key").fill("employer");
    await fact.getByLabel("Value").fill("Acme Rockets");
    await fact.getByRole("button", { name: "Add fact" }).click();
    await expectNotice(page, "Fact saved.");
    await expect(page.getByTestId("fact")).toContainText("Acme Rockets");
    await expect(fact.getByLabel("Key")).toHaveValue("");
    await expect(fact.getByLabel("Value")).toHaveValue("");

    const preference = page.getByRole("form", { name: "Add a preference" });
    await preference.getByLabel("Key").fill("reply_style");
    await preference.getByLabel("Value").fill("short answers");
    await preference.getByRole("button", { name: "Add preference" }).click();
    await expectNotice(page, "Preference saved.");
    await expect(page.getByTestId("preference")).toContainText("short answers");
    await expect(preference.getByLabel("Key")).toHaveValue("");
    await expect(preference.getByLabel("Value")).toHaveValue("");
  });
});
