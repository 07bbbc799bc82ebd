/**
 * Telegram copies of notifications against the stand-in Bot API: plain text (an event title never
 * becomes a link), sent once per chat even when another chat fails, and still sent by a retry after
 * Telegram was down — for reminders and for the morning briefing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStandInTelegram, type StandInTelegram } from "../../e2e/stand-ins/telegram-server";

const TOKEN = "4545:stand-in-token";
let telegram: StandInTelegram;

// The app reads its configuration once, on first use: Telegram is pointed at the stand-in before that.
beforeAll(async () => {
  telegram = await startStandInTelegram({ token: TOKEN });
  process.env.TELEGRAM_BOT_TOKEN = TOKEN;
  process.env.TELEGRAM_API_BASE = telegram.apiBase;
});
afterAll(async () => {
  await telegram?.close();
});

async function app() {
  const [{ prisma }, notifications, briefing, accounts, linking] = await Promise.all([
    import("~/db/db.server"),
    import("~/notifications/notifications.server"),
    import("~/calendar/briefing.server"),
    import("../support/accounts"),
    import("~/telegram/linking.server"),
  ]);
  return { prisma, ...notifications, ...briefing, ...accounts, ...linking };
}

async function linkedPerson(chatIds: number[], settings: { reminders?: boolean; briefing?: boolean }) {
  const { makeUser, createLinkCode, linkChat, saveNotificationPreferences } = await app();
  const person = await makeUser();
  for (const chatId of chatIds) {
    const { code } = await createLinkCode(person.id);
    expect((await linkChat(code, { chatId: BigInt(chatId), username: undefined, displayName: undefined })).linked).toBe(
      true,
    );
  }
  await saveNotificationPreferences(person.id, {
    briefingTime: settings.briefing ? "07:00" : null,
    remindersOnTelegram: settings.reminders ?? false,
    briefingOnTelegram: settings.briefing ?? false,
  });
  return person;
}

const texts = (chatId: number) => telegram.messages(chatId).map((message) => message.text);

describe("Telegram copies of notifications", () => {
  it("are plain text: a title written as a Markdown link stays text", async () => {
    const { notify } = await app();
    const person = await linkedPerson([7101], { reminders: true });
    await notify({
      userId: person.id,
      kind: "reminder",
      title: "[Verify your account](https://phish.example) — starts in 10 minutes",
      body: "Monday, 09:00–09:30 · <b>Room</b>",
      dedupKey: `test:${person.id}:plain`,
    });
    const [message] = telegram.messages(7101);
    expect(message!.parseMode).toBeUndefined();
    expect(message!.text).toBe(
      "[Verify your account](https://phish.example) — starts in 10 minutes\n\nMonday, 09:00–09:30 · <b>Room</b>",
    );
  });

  it("reach every chat once: one chat failing does not resend to the others", async () => {
    const { notify, prisma } = await app();
    const person = await linkedPerson([7201, 7202], { reminders: true });
    telegram.failSends(7202, 1);
    await notify({ userId: person.id, kind: "reminder", title: "Dentist", dedupKey: `test:${person.id}:two` });
    // A retry of the job (it did not throw, since one chat has it) would find the copy sent.
    await notify({ userId: person.id, kind: "reminder", title: "Dentist", dedupKey: `test:${person.id}:two` });
    expect(texts(7201)).toEqual(["Dentist"]);
    expect(texts(7202)).toEqual([]);
    const row = await prisma.notification.findUniqueOrThrow({ where: { dedupKey: `test:${person.id}:two` } });
    expect(row.telegramSentAt).not.toBeNull();
  });

  it("are retried when Telegram failed for every chat, and sent once it works", async () => {
    const { notify } = await app();
    const person = await linkedPerson([7301], { reminders: true });
    telegram.failSends(7301, 1);
    const reminder = {
      userId: person.id,
      kind: "reminder" as const,
      title: "Standup",
      dedupKey: `test:${person.id}:r`,
    };
    await expect(notify(reminder)).rejects.toThrow(/500/);
    expect(texts(7301)).toEqual([]);
    await notify(reminder);
    await notify(reminder);
    expect(texts(7301)).toEqual(["Standup"]);
  });

  it("of the morning briefing are still sent by the retry after Telegram failed", async () => {
    const { deliverBriefing, prisma } = await app();
    const person = await linkedPerson([7401], { briefing: true });
    telegram.failSends(7401, 1);
    await expect(deliverBriefing({ userId: person.id, date: "2027-05-03" })).rejects.toThrow(/500/);
    expect(await deliverBriefing({ userId: person.id, date: "2027-05-03" })).toBe("already");
    expect(texts(7401)).toHaveLength(1);
    expect(texts(7401)[0]).toContain("Your briefing for Monday 3 May");
    expect(await prisma.notification.count({ where: { userId: person.id } })).toBe(1);
  });
});
