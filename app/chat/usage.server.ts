import { config } from "~/config/env.server";
import { prisma } from "~/db/db.server";
import { Prisma } from "~/generated/prisma/client";
import type { LlmUsage, ProviderName } from "~/llm/types";

function utcDay(date = new Date()): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
}

/** Adds one reply's tokens and cost to today's row for the person, provider and model. */
export async function recordUsage(
  userId: string,
  provider: ProviderName,
  model: string,
  usage: LlmUsage | null,
): Promise<void> {
  const promptTokens = usage?.promptTokens ?? 0;
  const completionTokens = usage?.completionTokens ?? 0;
  const cost = usage?.cost ?? 0;
  const day = utcDay();
  await prisma.usageDaily.upsert({
    where: { userId_day_provider_model: { userId, day, provider, model } },
    create: { userId, day, provider, model, requests: 1, promptTokens, completionTokens, cost },
    update: {
      requests: { increment: 1 },
      promptTokens: { increment: promptTokens },
      completionTokens: { increment: completionTokens },
      cost: { increment: cost },
    },
  });
}

export type UsageRow = {
  day: Date;
  provider: string;
  model: string;
  requests: number;
  promptTokens: number;
  completionTokens: number;
  cost: number;
};

/** What a usage row shows: the settings page and the data export read the same columns. */
export const USAGE_COLUMNS = {
  day: true,
  provider: true,
  model: true,
  requests: true,
  promptTokens: true,
  completionTokens: true,
  cost: true,
} as const;

/** The last `days` days of usage, newest first, one row per day, provider and model. */
export function usageHistory(userId: string, days = 30): Promise<UsageRow[]> {
  const since = new Date(utcDay().getTime() - (days - 1) * 24 * 60 * 60 * 1000);
  return prisma.usageDaily.findMany({
    where: { userId, day: { gte: since } },
    orderBy: [{ day: "desc" }, { provider: "asc" }, { model: "asc" }],
    select: USAGE_COLUMNS,
  });
}

/**
 * The replies of the last `days` days in the person's time zone, newest day first, one row per day,
 * provider and model: "today" on /settings/usage is the person's today. UsageDaily counts UTC days (the
 * daily budget's), so this reads the replies themselves, which carry their tokens and cost. The window
 * starts at local midnight converted to the stored UTC form, a range on the (userId, role, createdAt)
 * index; only the grouping converts each reply's time. Replies in conversations since deleted are gone
 * from here (UsageDaily still counts them against the budget).
 */
export function usageByLocalDay(userId: string, timeZone: string, days = 30, now = new Date()): Promise<UsageRow[]> {
  return prisma.$queryRaw<UsageRow[]>(usageByLocalDaySql(userId, timeZone, days, now));
}

/** The statement of usageByLocalDay (its plan is held to the index by tests/integration/usage-days.test.ts). */
export function usageByLocalDaySql(userId: string, timeZone: string, days: number, now: Date): Prisma.Sql {
  const zone = knownTimeZone(timeZone);
  return Prisma.sql`
    SELECT (m."createdAt" AT TIME ZONE 'UTC' AT TIME ZONE ${zone})::date::timestamp AT TIME ZONE 'UTC' AS day,
           m.provider, m.model, count(*)::int AS requests,
           coalesce(sum(m."promptTokens"), 0)::int AS "promptTokens",
           coalesce(sum(m."completionTokens"), 0)::int AS "completionTokens",
           coalesce(sum(m.cost), 0)::float8 AS cost
      FROM "Message" m
     WHERE m."userId" = ${userId} AND m.role = 'assistant' AND m.provider IS NOT NULL AND m.model IS NOT NULL
       AND m."createdAt" >= ((((${now.toISOString()}::timestamptz AT TIME ZONE ${zone})::date - ${days - 1}::int)
                               ::timestamp AT TIME ZONE ${zone}) AT TIME ZONE 'UTC')
     GROUP BY 1, m.provider, m.model
     ORDER BY 1 DESC, m.provider, m.model`;
}

/** A zone this runtime knows (what the calendar settings store), else UTC: an unknown name never fails the page. */
function knownTimeZone(timeZone: string): string {
  try {
    new Intl.DateTimeFormat("en", { timeZone });
    return timeZone;
  } catch (error) {
    if (error instanceof RangeError) return "UTC";
    throw error;
  }
}

export function nextUtcMidnight(now = new Date()): Date {
  return new Date(utcDay(now).getTime() + 24 * 60 * 60 * 1000);
}

/** The person's daily token budget: an admin's override, else the server default (0 = unlimited). */
export async function tokenBudgetFor(userId: string): Promise<number> {
  const override = await prisma.chatSettings.findUnique({ where: { userId }, select: { dailyTokenBudget: true } });
  return override?.dailyTokenBudget ?? config().chatQuota.dailyTokenBudget;
}

/** An admin's per-person budget: a number of tokens a day, or null to follow the server default. */
/** False when there is no such person (deleted while an admin had their page open). */
export async function setTokenBudgetOverride(userId: string, budget: number | null): Promise<boolean> {
  const person = await prisma.user.findUnique({ where: { id: userId }, select: { id: true } });
  if (!person) return false;
  await prisma.chatSettings.upsert({
    where: { userId },
    create: { userId, dailyTokenBudget: budget },
    update: { dailyTokenBudget: budget },
  });
  return true;
}

export async function tokenBudgetOverride(userId: string): Promise<number | null> {
  const row = await prisma.chatSettings.findUnique({ where: { userId }, select: { dailyTokenBudget: true } });
  return row?.dailyTokenBudget ?? null;
}
