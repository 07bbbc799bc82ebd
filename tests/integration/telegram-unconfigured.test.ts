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
});
