/**
 * Notifications through the built server and its job queue: a due reminder reaches the bell, the
 * /notifications page and Telegram once; the morning briefing is written with the model's summary; other
 * people's notifications are out of reach; the settings form keeps what was typed when it refuses it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stubReplyFor } from "../../e2e/stand-ins/llm-server";
import { startStandInTelegram, type StandInTelegram } from "../../e2e/stand-ins/telegram-server";
import { createEvent } from "~/calendar/events.server";
import { prisma } from "~/db/db.server";
import { browserClient } from "../support/cookie-jar";
import { startChatHarness, type ChatHarness } from "../support/chat-harness";

const TOKEN = "4343:stand-in-token";
const password = "correct horse battery staple";
let accounts = 0;

async function person(harness: ChatHarness) {
  accounts += 1;
  const email = `notified-${Date.now().toString(36)}-${accounts}@example.test`;
  const client = browserClient(harness.server.url);
  await client.post("/signup", { email, password });
  expect((await client.post("/login", { email, password })).status).toBe(302);
  const { id } = await prisma.user.findUniqueOrThrow({ where: { email }, select: { id: true } });
  return { client, id };
}

const wall = (date: Date) => date.toISOString().slice(0, 16);

describe("notifications", { timeout: 90_000 }, () => {
  let telegram: StandInTelegram;
  let harness: ChatHarness;

  beforeAll(async () => {
    telegram = await startStandInTelegram({ token: TOKEN });
    harness = await startChatHarness({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_BASE: telegram.apiBase });
  }, 120_000);
  afterAll(async () => {
    await harness?.stop();
    await telegram?.close();
  });

  it("a due reminder reaches the bell, /notifications and Telegram, once, at its time", async () => {
    const { client, id } = await person(harness);
    const page = await client.post("/settings/telegram", { intent: "code" });
    const code = /\/start (?:<!-- -->)?([A-Z0-9]{10})/.exec(await page.text())?.[1];
    telegram.sendFromUser(9009, `/start ${code}`);
    await expect.poll(() => telegram.messages(9009).at(-1)?.text ?? "", { timeout: 30_000 }).toMatch(/^Linked to /);
    expect(
      (await client.post("/settings/notifications", { briefing: "off", briefingTime: "", remindersOnTelegram: "on" }))
        .status,
    ).toBe(302);

    // Clear of a minute's edge, so the server's own every-minute scan does not run between the steps below.
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 40_000) await new Promise((resolve) => setTimeout(resolve, 63_000 - intoMinute));
    // Starts at the next whole minute + 1; one reminder came due a minute ago (missed: delivered at once),
    // one at the next whole minute (queued for that instant).
    const nextMinute = Math.ceil((Date.now() + 1_000) / 60_000) * 60_000;
    const start = new Date(nextMinute + 60_000);
    const { id: eventId } = await createEvent(id, {
      title: "Team sync",
      description: "",
      location: "Room 7",
      allDay: false,
      startLocal: wall(start),
      endLocal: wall(new Date(start.getTime() + 30 * 60_000)),
      timeZone: "UTC",
      rrule: null,
      reminders: [1, 2],
    });
    // As if no ARES process had scanned for half an hour: the two-minute reminder came due meanwhile.
    const halfAnHourAgo = new Date(Date.now() - 30 * 60_000);
    await prisma.scanMark.upsert({
      where: { name: "calendar.reminders" },
      create: { name: "calendar.reminders", at: halfAnHourAgo },
      update: { at: halfAnHourAgo },
    });

    expect((await client.post("/test-only/scan/reminders", {})).status).toBe(200);
    await expect
      .poll(() => prisma.notification.count({ where: { userId: id } }), { timeout: 20_000 })
      .toBeGreaterThanOrEqual(1);
    await expect.poll(() => prisma.notification.count({ where: { userId: id } }), { timeout: 75_000 }).toBe(2);
    const [missed, onTime] = await prisma.notification.findMany({
      where: { userId: id },
      orderBy: { createdAt: "asc" },
    });
    expect(missed!.title).toBe("Team sync — starts in 2 minutes");
    expect(onTime!.title).toBe("Team sync — starts in 1 minute");
    // Queued for its instant: not before it, and within seconds of it (the promise is 60 s).
    expect(onTime!.createdAt.getTime()).toBeGreaterThanOrEqual(nextMinute);
    expect(onTime!.createdAt.getTime() - nextMinute).toBeLessThan(15_000);

    // Scanned again (a restart, a second process): still two.
    expect((await client.post("/test-only/scan/reminders", {})).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(await prisma.notification.count({ where: { userId: id } })).toBe(2);

    const home = await (await client.get("/settings/profile")).text();
    expect(home).toContain('aria-label="Notifications, 2 unread"');
    const list = await (await client.get("/notifications")).text();
    expect(list).toContain("Team sync — starts in 1 minute");
    expect(list).toContain("Room 7");
    await expect
      .poll(() => telegram.messages(9009).filter((message) => message.text.includes("Team sync")).length, {
        timeout: 20_000,
      })
      .toBe(2);

    const opened = await client.post("/notifications", { intent: "open", id: onTime!.id });
    expect(opened.status).toBe(302);
    expect(opened.headers.get("location")).toBe(`/calendar/events/${eventId}`);
    expect((await client.post("/notifications", { intent: "read-all" })).status).toBe(302);
    expect(await (await client.get("/settings/profile")).text()).toContain('aria-label="Notifications"');
  });

  it("writes the morning briefing with the model's summary into Briefings, and announces it", async () => {
    const { client, id } = await person(harness);
    const now = new Date();
    const time = `${String(now.getUTCHours()).padStart(2, "0")}:${String(now.getUTCMinutes()).padStart(2, "0")}`;
    const page = await client.post("/settings/telegram", { intent: "code" });
    const code = /\/start (?:<!-- -->)?([A-Z0-9]{10})/.exec(await page.text())?.[1];
    telegram.sendFromUser(9010, `/start ${code}`);
    await expect.poll(() => telegram.messages(9010).at(-1)?.text ?? "", { timeout: 30_000 }).toMatch(/^Linked to /);
    expect(
      (await client.post("/settings/notifications", { briefing: "on", briefingTime: time, briefingOnTelegram: "on" }))
        .status,
    ).toBe(302);
    // Today's, whatever the hour: at the briefing's own minute (two hours ahead was tomorrow after 22:00 UTC).
    const start = new Date(Math.floor(now.getTime() / 60_000) * 60_000);
    await createEvent(id, {
      title: "Board meeting",
      description: "",
      location: "",
      allDay: false,
      startLocal: wall(start),
      endLocal: wall(new Date(start.getTime() + 3600_000)),
      timeZone: "UTC",
      rrule: null,
      reminders: [],
    });
    expect((await client.post("/test-only/scan/briefings", {})).status).toBe(200);
    await expect
      .poll(() => prisma.notification.count({ where: { userId: id, kind: "briefing" } }), { timeout: 30_000 })
      .toBe(1);
    const briefing = await prisma.notification.findFirstOrThrow({ where: { userId: id, kind: "briefing" } });
    const conversation = await (await client.get(briefing.link!)).text();
    expect(conversation).toContain("Briefings");
    expect(conversation).toContain("Board meeting");
    // The summary is the model's answer to the day's events (the stand-in echoes what it was given).
    expect(briefing.body).toContain(stubReplyFor("").slice(-40));
    expect(briefing.body).toContain("Board meeting");
    // Chosen for Telegram too: the linked chat gets the briefing, rendered for Telegram.
    await expect
      .poll(() => telegram.messages(9010).at(-1)?.text ?? "", { timeout: 20_000 })
      .toContain("Your briefing for");
    expect(telegram.messages(9010).at(-1)!.text).toContain("Board meeting");
  });

  it("keeps people's notifications apart: another person gets 404 and sees none", async () => {
    const owner = await person(harness);
    const other = await person(harness);
    const notification = await prisma.notification.create({
      data: { userId: owner.id, kind: "reminder", title: "Owner's secret", dedupKey: `test:${owner.id}` },
    });
    for (const intent of ["open", "read"]) {
      expect((await other.client.post("/notifications", { intent, id: notification.id })).status).toBe(404);
    }
    expect(await (await other.client.get("/notifications")).text()).not.toContain("Owner's secret");
    expect((await prisma.notification.findUniqueOrThrow({ where: { id: notification.id } })).readAt).toBeNull();
  });

  it("refuses a bad briefing time with a message and keeps what was typed", async () => {
    const { client } = await person(harness);
    const response = await client.post("/settings/notifications", {
      briefing: "on",
      briefingTime: "25:00",
      briefingOnTelegram: "on",
    });
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).toContain("Write the time as HH:MM");
    expect(html).toContain('value="25:00"');
    expect(html).toMatch(/name="briefingOnTelegram" checked=""/);
  });
});
