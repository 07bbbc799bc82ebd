import { config } from "~/config/env.server";
import { prisma } from "~/db/db.server";
import { dayInZone, isTimeZone, startOfDayInZone } from "~/accounts/time-zone";
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
  const now = new Date();
  const day = utcDay(now);
  const slotStart = new Date(Math.floor(now.getTime() / SLOT_MS) * SLOT_MS);
  const increment = {
    requests: { increment: 1 },
    promptTokens: { increment: promptTokens },
    completionTokens: { increment: completionTokens },
    cost: { increment: cost },
  };
  const counts = { requests: 1, promptTokens, completionTokens, cost };
  await prisma.$transaction([
    prisma.usageDaily.upsert({
      where: { userId_day_provider_model: { userId, day, provider, model } },
      create: { userId, day, provider, model, ...counts },
      update: increment,
    }),
    prisma.usageSlot.upsert({
      where: { userId_slotStart_provider_model: { userId, slotStart, provider, model } },
      create: { userId, slotStart, provider, model, ...counts },
      update: increment,
    }),
  ]);
}

/** A UsageSlot's length: a quarter hour, of which every time zone's offset from UTC is a whole number. */
const SLOT_MS = 15 * 60 * 1000;

export type UsageRow = {
  day: Date;
  provider: string;
  model: string;
  requests: number;
  promptTokens: number;
  completionTokens: number;
  cost: number;
};

/** What a usage row shows besides its day: the daily totals and the quarter-hour slots carry the same amounts. */
const USAGE_AMOUNTS = {
  provider: true,
  model: true,
  requests: true,
  promptTokens: true,
  completionTokens: true,
  cost: true,
} as const;
/** What a usage row shows: the settings page and the data export read the same columns. */
export const USAGE_COLUMNS = { day: true, ...USAGE_AMOUNTS } as const;

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
 * Usage in the last `days` days of the person's time zone, newest day first, one row per day, provider and
 * model: "today" on /settings/usage is the person's today. Read from the UTC quarter hours (UsageSlot,
 * written with UsageDaily, so it counts what the budget and the export count, deleted conversations
 * too): every zone's offset is a whole number of quarter hours, so each slot lies within one local day.
 * At most 96 rows per model and day. Usage from before the slots existed is each UTC day's total at
 * 00:00 UTC, so it falls on the local day holding that instant. An unknown zone is read as UTC.
 */
export async function usageByLocalDay(
  userId: string,
  timeZone: string,
  days = 30,
  now = new Date(),
): Promise<UsageRow[]> {
  const zone = isTimeZone(timeZone) ? timeZone : "UTC";
  const today = dayInZone(now, zone);
  const firstDay = new Date(Date.parse(today) - (days - 1) * 24 * 60 * 60 * 1000).toISOString().slice(0, 10);
  const slots = await prisma.usageSlot.findMany({
    where: { userId, slotStart: { gte: startOfDayInZone(firstDay, zone) } },
    select: { slotStart: true, ...USAGE_AMOUNTS },
  });
  const rows = new Map<string, UsageRow>();
  for (const slot of slots) {
    const day = dayInZone(slot.slotStart, zone);
    const key = `${day}\u0000${slot.provider}\u0000${slot.model}`;
    const row = rows.get(key) ?? {
      day: new Date(`${day}T00:00:00Z`),
      provider: slot.provider,
      model: slot.model,
      requests: 0,
      promptTokens: 0,
      completionTokens: 0,
      cost: 0,
    };
    row.requests += slot.requests;
    row.promptTokens += slot.promptTokens;
    row.completionTokens += slot.completionTokens;
    row.cost += slot.cost;
    rows.set(key, row);
  }
  return [...rows.values()].sort(
    (a, b) =>
      b.day.getTime() - a.day.getTime() || a.provider.localeCompare(b.provider) || a.model.localeCompare(b.model),
  );
}

/** The calendar day ("2026-12-04") of an instant in a time zone. */
export function nextUtcMidnight(now = new Date()): Date {
  return new Date(utcDay(now).getTime() + 24 * 60 * 60 * 1000);
}

/** The person's daily token budget: an admin's override, else the server default (0 = no limit). */
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
