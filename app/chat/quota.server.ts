import { config } from "~/config/env.server";
import { computed, rowContract, type RowOf } from "~/db/row-contract";
import { queryRows } from "~/db/sql.server";
import { Prisma } from "~/generated/prisma/client";
import { nextUtcMidnight } from "./usage.server";
import { countOf } from "~/text/plural";

export type QuotaDecision =
  { allowed: true } | { allowed: false; reason: "rate" | "tokens"; retryAfterSeconds: number; message: string };

/** The quota as the database sees it; `quotaSql` selects these columns. */
export const quotaColumns = rowContract({
  rateExceeded: computed("boolean"),
  budgetExceeded: computed("boolean"),
  oldest: computed("timestamp", { nullable: true }),
  budget: computed("int"),
});
export type QuotaColumns = RowOf<typeof quotaColumns>;

/**
 * Per-person limits, counted in the database so every ARES process sees the same numbers: messages
 * sent in the last minute, and tokens used today (UTC) against the budget (an admin's override, else
 * the server default; 0 = no limit). The verdict is SQL so that a send can check it and store the
 * message in one statement (docs/decisions/004).
 */
export function quotaSql(userId: string): Prisma.Sql {
  const { messagesPerMinute, dailyTokenBudget } = config().chatQuota;
  // Timestamps are stored as UTC without a zone (Prisma's convention); compare in the same terms.
  // Today's tokens are summed as bigint and compared here, not returned: rows of several models may add up
  // past 2^31, and an int sum would refuse every send of that person until midnight. sum(int) is bigint
  // already; sum(bigint) would be numeric, so the columns are summed first and then added.
  return Prisma.sql`
    SELECT ${messagesPerMinute}::int > 0 AND recent.count >= ${messagesPerMinute}::int AS "rateExceeded",
           allowance.budget > 0 AND spent.tokens >= allowance.budget AS "budgetExceeded",
           recent.oldest, allowance.budget
      FROM (SELECT count(*)::int AS count, min("createdAt") AS oldest FROM "Message"
             WHERE "userId" = ${userId} AND role = 'user'
               AND "createdAt" > (now() AT TIME ZONE 'UTC') - interval '1 minute') recent,
           (SELECT coalesce((SELECT "dailyTokenBudget" FROM "ChatSettings" WHERE "userId" = ${userId}),
                            ${dailyTokenBudget}::int) AS budget) allowance,
           (SELECT coalesce(sum("promptTokens")::bigint + sum("completionTokens")::bigint, 0) AS tokens
              FROM "UsageDaily"
             WHERE "userId" = ${userId} AND day = (now() AT TIME ZONE 'UTC')::date) spent`;
}

/** What to tell the person about a quota verdict. */
export function quotaDecision(quota: QuotaColumns, now = new Date()): QuotaDecision {
  if (quota.rateExceeded) {
    const { messagesPerMinute } = config().chatQuota;
    // The oldest message of the last minute leaves the window first.
    const frees = (quota.oldest?.getTime() ?? now.getTime()) + 60_000;
    const retryAfterSeconds = Math.max(1, Math.ceil((frees - now.getTime()) / 1000));
    return {
      allowed: false,
      reason: "rate",
      retryAfterSeconds,
      message: `You can send ${countOf(messagesPerMinute, "message", "messages")} a minute. Try again in ${retryAfterSeconds} s.`,
    };
  }
  if (quota.budgetExceeded) {
    const retryAfterSeconds = Math.ceil((nextUtcMidnight(now).getTime() - now.getTime()) / 1000);
    return {
      allowed: false,
      reason: "tokens",
      retryAfterSeconds,
      message: `You have used today's budget of ${quota.budget.toLocaleString("en")} tokens. It resets at midnight UTC.`,
    };
  }
  return { allowed: true };
}

export async function checkChatQuota(userId: string, now = new Date()): Promise<QuotaDecision> {
  const [quota] = await queryRows<QuotaColumns>(quotaSql(userId));
  return quotaDecision(quota!, now);
}
