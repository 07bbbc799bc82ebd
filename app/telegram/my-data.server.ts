import { prisma } from "~/db/db.server";

/** The Telegram chats a person linked (and unlinked), for "Download all my data". */
export const TELEGRAM_EXPORT_SECTIONS: Array<{ key: string; collect: (userId: string) => Promise<unknown> }> = [
  {
    key: "telegramChats",
    collect: async (userId) => {
      const links = await prisma.telegramLink.findMany({
        where: { userId },
        orderBy: { linkedAt: "asc" },
        select: {
          chatId: true,
          username: true,
          displayName: true,
          conversationId: true,
          linkedAt: true,
          unlinkedAt: true,
          unlinkReason: true,
        },
      });
      // Chat ids are 64-bit: as text, since JSON has no BigInt.
      return links.map((link) => ({ ...link, chatId: link.chatId.toString() }));
    },
  },
];
