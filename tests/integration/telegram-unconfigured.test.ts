/**
 * The operator took TELEGRAM_BOT_TOKEN out of the configuration: a person's linked chats are still on
 * their settings page and can be unlinked (they are their data, and a token may come back); only
 * linking a new chat is refused, with a reason.
 */
import { describe, expect, it } from "vitest";
import { prisma } from "~/db/db.server";
import { serverForThisFile, signedUp } from "../support/app-server";

const server = serverForThisFile({
  SESSION_SECRET: "telegram-unconfigured-test-session-secret-012",
  TELEGRAM_BOT_TOKEN: undefined,
});

describe("Telegram settings without a bot token", () => {
  it("lists the linked chats and unlinks one; linking a new chat says Telegram is not set up", async () => {
    const email = "unconfigured-telegram@example.test";
    const client = await signedUp(server.url, email);
    const user = await prisma.user.findUniqueOrThrow({ where: { email } });
    await prisma.telegramLink.create({ data: { chatId: 777001n, userId: user.id, username: "ada_on_tg" } });

    const page = await (await client.get("/settings/telegram")).text();
    expect(page).toContain("@ada_on_tg");
    expect(page).toContain('aria-label="Unlink @ada_on_tg"');
    expect(page).toContain("Telegram is not set up on this ARES instance.");
    expect(page).not.toContain("Get a linking code");

    const code = await client.post("/settings/telegram", { intent: "code" });
    expect(code.status).toBe(409);
    expect(await code.text()).toContain("Telegram is not set up on this ARES instance.");
    expect(await prisma.telegramLinkCode.count({ where: { userId: user.id } })).toBe(0);

    const unlinked = await client.post("/settings/telegram", { intent: "unlink", chatId: "777001" });
    expect(unlinked.status).toBe(302);
    expect(await (await client.get("/settings/telegram")).text()).toContain(
      "The chat is unlinked. It no longer reaches ARES.",
    );
    const link = await prisma.telegramLink.findUniqueOrThrow({ where: { chatId: 777001n } });
    expect(link.unlinkReason).toBe("unlinked");
  });

  it("another person cannot unlink someone's chat (404, still linked)", async () => {
    const ownerEmail = "unconfigured-owner@example.test";
    await signedUp(server.url, ownerEmail);
    const owner = await prisma.user.findUniqueOrThrow({ where: { email: ownerEmail } });
    await prisma.telegramLink.create({ data: { chatId: 777002n, userId: owner.id, username: "owner_on_tg" } });

    const other = await signedUp(server.url, "unconfigured-other@example.test");
    const refused = await other.post("/settings/telegram", { intent: "unlink", chatId: "777002" });
    expect(refused.status).toBe(404);
    expect(await refused.text()).toContain("That chat is not linked any more.");
    const link = await prisma.telegramLink.findUniqueOrThrow({ where: { chatId: 777002n } });
    expect(link.unlinkedAt).toBeNull();
  });

  it("a chat that blocked the bot is not offered to be linked again while linking is impossible", async () => {
    const email = "unconfigured-blocked@example.test";
    const client = await signedUp(server.url, email);
    const user = await prisma.user.findUniqueOrThrow({ where: { email } });
    await prisma.telegramLink.create({
      data: { chatId: 777003n, userId: user.id, username: "blocker", unlinkedAt: new Date(), unlinkReason: "blocked" },
    });
    const page = await (await client.get("/settings/telegram")).text();
    expect(page).toContain("blocked the bot, so it was unlinked.");
    expect(page).not.toContain("Link it again below");
    expect(page).toContain("It can be linked again once Telegram is set up on this ARES instance.");
  });
});
