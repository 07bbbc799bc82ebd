/**
 * The morning briefing: at the time a person picked, in their zone, today's events and the model's
 * short summary of the day, written to their "Briefings" conversation and announced as a notification
 * (and on Telegram if they chose it). Off until a time is picked; once per person and local day.
 */
import { prisma } from "~/db/db.server";
import { LlmStreamInterruptedError, LlmUnavailableError } from "~/llm/errors";
import { primaryProvider, streamChat } from "~/llm/router.server";
import { finishTelegramCopy, notify } from "~/notifications/notifications.server";
import { logger } from "~/observability/logger.server";
import { dayOf, longDate } from "./agenda.server";
import { fromDate, Temporal } from "./time";

const log = logger.child({ domain: "calendar" });

/** A briefing not sent within this long after its time (ARES was down) is skipped for that day. */
const LATE_LIMIT_MINUTES = 120;
const BRIEFINGS_TITLE = "Briefings";

const briefingKey = (userId: string, date: string) => `briefing:${userId}:${date}`;

export type DueBriefing = { userId: string; date: string };

/**
 * The instant from which a briefing counts as late: its due time, or the person's move to another zone
 * when that move jumped over it. Moving east (New York to Berlin at 06:00 New York time, 12:00 in
 * Berlin) puts 07:00 five hours in the past at once; the briefing was still ahead in the zone they
 * left, so it is owed from the move rather than skipped as late. A briefing whose time had already
 * passed in the old zone too (moving west, or a day ARES missed) keeps its own due time.
 */
function lateFrom(
  date: Temporal.PlainDate,
  at: Temporal.PlainTime,
  dueAt: number,
  move: { changedAt: Date | null; previousZone: string | null },
): number {
  if (!move.changedAt || !move.previousZone) return dueAt;
  const changedAt = move.changedAt.getTime();
  if (dueAt > changedAt) return dueAt;
  let dueInPreviousZone: number;
  try {
    dueInPreviousZone = date.toZonedDateTime({ timeZone: move.previousZone, plainTime: at }).epochMilliseconds;
  } catch (error) {
    // A zone this runtime no longer knows: the move is not taken into account.
    if (error instanceof RangeError) return dueAt;
    throw error;
  }
  return dueInPreviousZone > changedAt ? changedAt : dueAt;
}

/** People whose briefing time has come today (in their zone) and who have not had today's yet. */
export async function briefingsDue(now: Date = new Date()): Promise<DueBriefing[]> {
  const rows = await prisma.notificationSettings.findMany({
    where: { briefingTime: { not: null }, user: { disabledAt: null } },
    select: {
      userId: true,
      briefingTime: true,
      user: { select: { timeZone: true, timeZoneChangedAt: true, previousTimeZone: true } },
    },
  });
  const due: DueBriefing[] = [];
  for (const row of rows) {
    const local = fromDate(now, row.user.timeZone);
    const at = Temporal.PlainTime.from(row.briefingTime!);
    const move = { changedAt: row.user.timeZoneChangedAt, previousZone: row.user.previousTimeZone };
    // Today's briefing, or yesterday's when its window runs past midnight (a 23:30 briefing at 00:40).
    // Once per local date: the notification's key is the date in the zone the person is in now.
    for (const date of [local.toPlainDate(), local.toPlainDate().subtract({ days: 1 })]) {
      const dueAt = date.toZonedDateTime({ timeZone: row.user.timeZone, plainTime: at }).epochMilliseconds;
      const minutesLate = (now.getTime() - lateFrom(date, at, dueAt, move)) / 60_000;
      if (now.getTime() >= dueAt && minutesLate < LATE_LIMIT_MINUTES) {
        due.push({ userId: row.userId, date: date.toString() });
        break;
      }
    }
  }
  if (due.length === 0) return due;
  const sent = new Set(
    (
      await prisma.notification.findMany({
        where: { dedupKey: { in: due.map((briefing) => briefingKey(briefing.userId, briefing.date)) } },
        select: { dedupKey: true },
      })
    ).map((row) => row.dedupKey),
  );
  return due.filter((briefing) => !sent.has(briefingKey(briefing.userId, briefing.date)));
}

const SUMMARY_PROMPT = [
  "You write a person's morning briefing. From their calendar for today (below), write two to four",
  "short, friendly sentences: what the day holds, what to prepare for, any tight spots between events.",
  "Use only the events listed; never invent any. If there are none, say the day is free.",
].join(" ");

async function summarise(heading: string, lines: string[]): Promise<string | null> {
  let text = "";
  try {
    await streamChat({
      preferred: primaryProvider(),
      messages: [
        { role: "system", content: SUMMARY_PROMPT },
        { role: "user", content: [heading, ...(lines.length ? lines : ["(no events)"])].join("\n") },
      ],
      params: { temperature: 0.3 },
      onToken: (token) => {
        text += token;
      },
    });
  } catch (error) {
    // The events alone still make a useful briefing; the summary is a bonus.
    if (error instanceof LlmUnavailableError || error instanceof LlmStreamInterruptedError) {
      log.warn({ err: error }, "briefing: no model answered; sending the events alone");
      return null;
    }
    throw error;
  }
  return text.trim() || null;
}

async function briefingsConversation(userId: string): Promise<string> {
  const settings = await prisma.notificationSettings.findUnique({
    where: { userId },
    select: { briefingConversationId: true },
  });
  if (settings?.briefingConversationId) {
    const existing = await prisma.conversation.findFirst({
      where: { id: settings.briefingConversationId, userId },
      select: { id: true },
    });
    if (existing) return existing.id;
  }
  const created = await prisma.conversation.create({
    data: { userId, title: BRIEFINGS_TITLE, titleIsManual: true, memoryEnabled: false },
    select: { id: true },
  });
  await prisma.notificationSettings.update({ where: { userId }, data: { briefingConversationId: created.id } });
  return created.id;
}

/**
 * Writes and announces one person's briefing for one local date. Idempotent: a second run finds the
 * notification and does nothing (a crash between the message and the notification can write the
 * message twice, never announce twice).
 */
export async function deliverBriefing({ userId, date }: DueBriefing): Promise<"delivered" | "already" | "gone"> {
  const dedupKey = briefingKey(userId, date);
  if (await prisma.notification.findUnique({ where: { dedupKey }, select: { id: true } })) {
    // Announced already; a retry after Telegram failed still owes the Telegram copy.
    await finishTelegramCopy(dedupKey);
    return "already";
  }
  const day = await dayOf(userId, Temporal.PlainDate.from(date));
  if (!day) return "gone";
  const heading = `${longDate(day.date)} (${day.timeZone})`;
  const summary = await summarise(heading, day.lines);
  const events = day.lines.length ? day.lines.map((line) => `- ${line}`).join("\n") : "Nothing in your calendar today.";
  const content = [`## ${heading}`, summary, events].filter(Boolean).join("\n\n");

  const conversationId = await briefingsConversation(userId);
  await prisma.$transaction([
    prisma.message.create({ data: { conversationId, userId, role: "assistant", status: "complete", content } }),
    prisma.conversation.update({ where: { id: conversationId }, data: { lastMessageAt: new Date() } }),
  ]);
  await notify({
    userId,
    kind: "briefing",
    title: `Your briefing for ${longDate(day.date)}`,
    body: [summary, events].filter(Boolean).join("\n\n"),
    link: `/chat/${conversationId}`,
    dedupKey,
  });
  return "delivered";
}
