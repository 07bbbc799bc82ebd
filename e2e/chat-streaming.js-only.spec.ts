import { expect, test } from "@playwright/test";
import { signUp } from "./support/session";

// ~6 s in all: long enough to still be running after a cold page hydrates on a busy 2-core CI machine.
const SLOW = "[[stub:delay=400]] tell me slowly";
const FULL = 'You said: "tell me slowly". This is a deterministic reply from the stub model.';

test.beforeEach(async ({ page }) => {
  await signUp(page);
  await page.goto("/chat");
  await page.waitForFunction(() => "__remixRouter" in window);
});

test("tokens appear progressively, survive a reload mid-stream, and complete", async ({ page }) => {
  await page.getByLabel("Message").fill(SLOW);
  await page.getByLabel("Message").press("Enter");
  const streaming = page.getByTestId("streaming-text");
  await expect(streaming).toContainText("You said", { timeout: 10_000 });
  const early = (await streaming.textContent()) ?? "";
  expect(early.length).toBeLessThan(FULL.length);
  await expect.poll(async () => ((await streaming.textContent()) ?? "").length).toBeGreaterThan(early.length);

  await page.reload();
  await expect(page.getByTestId("streaming-text")).toContainText("You said");
  await expect(page.locator('.message--assistant[data-status="complete"]')).toContainText(FULL, { timeout: 20_000 });
});

test("Stop keeps the partial reply", async ({ page }) => {
  await page.getByLabel("Message").fill(SLOW);
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.getByTestId("streaming-text")).toContainText("You said", { timeout: 10_000 });
  await page.getByRole("button", { name: "Stop" }).click();
  const stopped = page.locator('.message--assistant[data-status="aborted"]');
  await expect(stopped).toContainText("You said");
  await expect(stopped).toContainText("Stopped — the reply is as far as it got.");
  expect(((await stopped.locator(".message__body").textContent()) ?? "").length).toBeLessThan(FULL.length);
});
