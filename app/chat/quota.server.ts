import { config } from "~/config/env.server";
import { queryRows } from "~/db/sql.server";
import { Prisma } from "~/generated/prisma/client";
import { nextUtcMidnight } from "./usage.server";

export type QuotaDecision =
  { allowed: true } | { allowed: false; reason: "rate" | "tokens"; retryAfterSeconds: number; message: string };

type QuotaRow = { recent: number; oldest: Date | null; override: number | null; used: number };

/**
 * Per-person limits, counted in the database so every ARES process sees the same numbers:
 * messages sent in the last minute, and tokens used today (UTC) against the budget. One round trip:
 * this runs before every send, so it skips the ORM (docs/decisions/004).
 */
export async function checkChatQuota(userId: string, now = new Date()): Promise<QuotaDecision> {
  const { messagesPerMinute, dailyTokenBudget } = config().chatQuota;
  // Timestamps are stored as UTC without a zone (Prisma's convention); compare in the same terms.
  const [row] = await queryRows<QuotaRow>(Prisma.sql`
    WITH clock AS (SELECT now() AT TIME ZONE 'UTC' AS utc)
    SELECT
      (SELECT count(*)::int FROM "Message", clock
        WHERE "userId" = ${userId} AND role = 'user' AND "createdAt" > clock.utc - interval '1 minute') AS recent,
      (SELECT min("createdAt") FROM "Message", clock
        WHERE "userId" = ${userId} AND role = 'user' AND "createdAt" > clock.utc - interval '1 minute') AS oldest,
      (SELECT "dailyTokenBudget" FROM "ChatSettings" WHERE "userId" = ${userId}) AS override,
      (SELECT coalesce(sum("promptTokens" + "completionTokens"), 0)::int FROM "UsageDaily", clock
        WHERE "userId" = ${userId} AND day = clock.utc::date) AS used`);
  const { recent, oldest, override, used } = row!;
  if (messagesPerMinute > 0 && recent >= messagesPerMinute && oldest) {
    const retryAfterSeconds = Math.max(1, Math.ceil((oldest.getTime() + 60_000 - now.getTime()) / 1000));
    return {
      allowed: false,
      reason: "rate",
      retryAfterSeconds,
      message: `You can send ${messagesPerMinute} messages a minute. Try again in ${retryAfterSeconds} s.`,
    };
  }
  const budget = override ?? dailyTokenBudget;
  if (budget > 0 && used >= budget) {
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
