import { expect, test } from "@playwright/test";
import { stubReplyFor } from "./stand-ins/llm-server";
import { signUp } from "./support/session";
import { telegramChat } from "./support/telegram";

test("link a Telegram chat from settings, see its conversation on the web, unlink it", async ({ page, baseURL }) => {
  await signUp(page);
  // A chat of its own per run and project: the stand-in serves the whole suite.
  const chatId = 100_000 + Math.floor(Math.random() * 1_000_000_000);
  const phone = telegramChat(baseURL!, chatId);

  await page.goto("/settings/telegram");
  await expect(page.getByText("No chat is linked.")).toBeVisible();
  await page.getByRole("button", { name: "Get a linking code" }).click();
  const instructions = page.locator(".telegram-code");
  await expect(instructions).toContainText("/start ");
  const code = /\/start ([A-Z0-9]+)/.exec((await instructions.textContent()) ?? "")?.[1];
  expect(code).toBeTruthy();
  await expect(instructions.getByRole("link", { name: /t\.me\// })).toHaveAttribute("href", /\?start=/);

  await phone.send(`/start ${code}`);
  await expect.poll(async () => (await phone.said()).at(-1) ?? "", { timeout: 20_000 }).toMatch(/^Linked to /);

  const question = `From my phone ${chatId}`;
  await phone.send(question);
  await expect.poll(async () => (await phone.said()).at(-1), { timeout: 30_000 }).toBe(stubReplyFor(question));

  await page.goto("/settings/telegram");
  const linked = page.getByRole("listitem").filter({ has: page.getByRole("button", { name: /^Unlink / }) });
  await expect(linked).toHaveCount(1);
  await linked.getByRole("link", { name: "current conversation" }).click();
  await expect(page.getByRole("heading", { level: 1, name: question })).toBeVisible();
  await expect(page.locator(".message__body").getByText(question, { exact: true })).toBeVisible();
  await expect(page.getByText(stubReplyFor(question)).first()).toBeVisible();

  await page.goto("/settings/telegram");
  await page.getByRole("button", { name: /^Unlink / }).click();
  await expect(page.getByText("The chat is unlinked. It no longer reaches ARES.")).toBeVisible();
  await expect(page.getByText("No chat is linked.")).toBeVisible();

  const before = (await phone.said()).length;
  await phone.send("Are you still there?");
  await expect.poll(async () => (await phone.said()).length, { timeout: 20_000 }).toBe(before + 1);
  expect((await phone.said()).at(-1)).toMatch(/not linked to an account yet/);
});
