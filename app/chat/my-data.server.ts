import { prisma } from "~/db/db.server";
import { USAGE_COLUMNS } from "./usage.server";

/**
 * What chat holds about a person, for "Download all my data": every conversation with its messages,
 * chat settings and daily usage. Conversations and their messages come in one statement (a join).
 */
export const CHAT_EXPORT_SECTIONS: Array<{ key: string; collect: (userId: string) => Promise<unknown> }> = [
  {
    key: "conversations",
    collect: (userId) =>
      prisma.conversation.findMany({
        where: { userId },
        orderBy: [{ createdAt: "asc" }, { id: "asc" }],
        relationLoadStrategy: "join",
        select: {
          id: true,
          title: true,
          pinned: true,
          provider: true,
          model: true,
          createdAt: true,
          lastMessageAt: true,
          messages: {
            orderBy: [{ createdAt: "asc" }, { id: "asc" }],
            select: {
              id: true,
              role: true,
              status: true,
              content: true,
              provider: true,
              model: true,
              promptTokens: true,
              completionTokens: true,
              cost: true,
              createdAt: true,
              // Every version of a regenerated reply is data held about the person; these say which is shown.
              versionGroupId: true,
              selected: true,
            },
          },
        },
      }),
  },
  {
    key: "chatSettings",
    collect: (userId) =>
      prisma.chatSettings.findUnique({
        where: { userId },
        select: { provider: true, model: true, systemPrompt: true, temperature: true, topP: true, maxTokens: true },
      }),
  },
  {
    key: "usage",
    collect: (userId) =>
      prisma.usageDaily.findMany({
        where: { userId },
        orderBy: [{ day: "asc" }, { provider: "asc" }, { model: "asc" }],
        select: USAGE_COLUMNS,
      }),
  },
];
