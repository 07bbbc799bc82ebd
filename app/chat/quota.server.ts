import { config } from "~/config/env.server";
import { prisma } from "~/db/db.server";
import { nextUtcMidnight, tokenBudgetFor, tokensUsedToday } from "./usage.server";

export type QuotaDecision =
  { allowed: true } | { allowed: false; reason: "rate" | "tokens"; retryAfterSeconds: number; message: string };

/**
 * Per-person limits, counted in the database so every ARES process sees the same numbers:
 * messages sent in the last minute, and tokens used today (UTC) against the budget.
 */
export async function checkChatQuota(userId: string, now = new Date()): Promise<QuotaDecision> {
  const { messagesPerMinute } = config().chatQuota;
  if (messagesPerMinute > 0) {
    const windowStart = new Date(now.getTime() - 60_000);
    const recent = await prisma.message.findMany({
      where: { userId, role: "user", createdAt: { gt: windowStart } },
      orderBy: { createdAt: "asc" },
      select: { createdAt: true },
      take: messagesPerMinute,
    });
    if (recent.length >= messagesPerMinute) {
      const oldest = recent[0]!.createdAt.getTime();
      const retryAfterSeconds = Math.max(1, Math.ceil((oldest + 60_000 - now.getTime()) / 1000));
      return {
        allowed: false,
        reason: "rate",
        retryAfterSeconds,
        message: `You can send ${messagesPerMinute} messages a minute. Try again in ${retryAfterSeconds} s.`,
      };
    }
  }
  const budget = await tokenBudgetFor(userId);
  if (budget > 0 && (await tokensUsedToday(userId)) >= budget) {
    const retryAfterSeconds = Math.ceil((nextUtcMidnight(now).getTime() - now.getTime()) / 1000);
    return {
      allowed: false,
      reason: "tokens",
      retryAfterSeconds,
      message: `You have used today's budget of ${budget.toLocaleString("en")} tokens. It resets at midnight UTC.`,
    };
  }
  return { allowed: true };
}
