/**
 * Without JS every button on a conversation posts a form and the page comes back from a redirect: the
 * text in the message box must come back with it (Stop, Regenerate, the model, Pin, the theme). With JS
 * the box is never left, so it keeps its text anyway.
 */
import { expect, test, type Page } from "@playwright/test";
import { seedLongConversation, withE2eDatabase } from "./support/admin";
import { signUp } from "./support/session";

const box = (page: Page) => page.getByRole("textbox", { name: "Message", exact: true });

/** Types `text`, presses what `press` does, and expects the same conversation with the text in the box. */
async function keepsTextThrough(page: Page, path: string, text: string, press: () => Promise<void>) {
  await box(page).fill(text);
  await press();
  await page.waitForURL((url) => url.pathname === path);
  await expect(box(page)).toHaveValue(text);
  // Taken once: opening the page again does not bring it back.
  await page.goto(path);
  await expect(box(page)).toHaveValue("");
}

test("what is typed in the message box survives the page's other buttons", async ({ page, baseURL }) => {
  const email = await signUp(page);
  const path = await seedLongConversation(email, baseURL!, 2);
  const id = path.split("/")[2]!;
  await page.goto(path);
  expect(await page.evaluate(() => (window as unknown as { __remixRouter?: unknown }).__remixRouter)).toBeUndefined();

  await keepsTextThrough(page, path, "Kept through Pin", async () => {
    await page.getByText("Conversation menu").click();
    await page.getByRole("button", { name: "Pin", exact: true }).click();
  });
  await page.getByText("Conversation menu").click();
  await expect(page.getByRole("button", { name: "Unpin", exact: true })).toBeVisible();

  await keepsTextThrough(page, path, "Kept through the model\nsecond line", async () => {
    await page.getByLabel("Model", { exact: true }).selectOption({ index: 1 });
    await page.getByRole("button", { name: "Use model" }).click();
  });

  await keepsTextThrough(page, path, "Kept through the theme", async () => {
    await page.locator(".main-nav__wide").getByRole("button", { name: "Dark" }).click();
  });
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");

  await keepsTextThrough(page, path, "Kept through Regenerate", async () => {
    await page.getByRole("button", { name: "Regenerate" }).click();
  });

  // A reply still being written (as if its generation ran elsewhere): its Stop button.
  await withE2eDatabase(baseURL!, (client) =>
    client.query(
      `UPDATE "Message" SET status = 'streaming' WHERE "conversationId" = $1 AND role = 'assistant'
         AND "createdAt" = (SELECT max("createdAt") FROM "Message" WHERE "conversationId" = $1)`,
      [id],
    ),
  );
  await page.goto(path);
  await keepsTextThrough(page, path, "Kept through Stop", async () => {
    await page.getByRole("button", { name: "Stop" }).click();
  });
});
