import { prisma } from "~/db/db.server";

/** What memory holds about a person, for "Download all my data" (account deletion cascades from User). */
export const MEMORY_EXPORT_SECTIONS: Array<{ key: string; collect: (userId: string) => Promise<unknown> }> = [
  {
    key: "memoryFacts",
    collect: (userId) =>
      prisma.memoryFact.findMany({
        where: { userId },
        orderBy: [{ kind: "asc" }, { key: "asc" }],
        select: {
          kind: true,
          key: true,
          value: true,
          confidence: true,
          sourceMessageId: true,
          history: true,
          createdAt: true,
          updatedAt: true,
        },
      }),
  },
  {
    key: "memoryPreferences",
    collect: (userId) =>
      prisma.memoryPreference.findMany({
        where: { userId },
        orderBy: { key: "asc" },
        select: { key: true, value: true, sourceMessageId: true, history: true, createdAt: true, updatedAt: true },
      }),
  },
  {
    key: "memoryProposals",
    collect: (userId) =>
      prisma.memoryProposal.findMany({
        where: { userId },
        orderBy: { createdAt: "asc" },
        select: {
          type: true,
          kind: true,
          key: true,
          value: true,
          confidence: true,
          importance: true,
          status: true,
          conversationId: true,
          sourceMessageId: true,
          createdAt: true,
          decidedAt: true,
        },
      }),
  },
  {
    key: "conversationSummaries",
    collect: (userId) =>
      prisma.conversationSummary.findMany({
        where: { userId },
        orderBy: { createdAt: "asc" },
        select: {
          conversationId: true,
          summary: true,
          topics: true,
          keyFacts: true,
          fromMessageId: true,
          throughMessageId: true,
          messageCount: true,
          createdAt: true,
        },
      }),
  },
];
