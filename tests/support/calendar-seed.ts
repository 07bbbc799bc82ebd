import { eventRange } from "~/calendar/occurrences";
import { prisma } from "~/db/db.server";

const ZONE = "Europe/Berlin";
const DAYS = ["MO", "TU", "WE", "TH", "FR"];
const pad = (value: number) => String(value).padStart(2, "0");

/**
 * A calendar of `total` events for one person: `series` repeating ones (weekly, daily and monthly,
 * started in 2023–2025, never ending) and one-offs spread over 2024–2027 at working hours in Berlin.
 */
export async function seedCalendar(userId: string, total: number, series: number): Promise<void> {
  const rows = [];
  for (let index = 0; index < total; index++) {
    const repeating = index < series;
    const kind = index % 5;
    const rrule = !repeating
      ? null
      : kind === 0
        ? "FREQ=DAILY"
        : kind === 1
          ? "FREQ=MONTHLY;BYMONTHDAY=15"
          : `FREQ=WEEKLY;BYDAY=${DAYS[index % DAYS.length]}`;
    const day = repeating
      ? new Date(Date.UTC(2023 + (index % 3), index % 12, 1 + (index % 27)))
      : new Date(Date.UTC(2024, 0, 1) + Math.floor((index * 1461) / total) * 86_400_000);
    const hour = 8 + (index % 10);
    const date = `${day.getUTCFullYear()}-${pad(day.getUTCMonth() + 1)}-${pad(day.getUTCDate())}`;
    const event = {
      allDay: false,
      startLocal: `${date}T${pad(hour)}:00`,
      endLocal: `${date}T${pad(hour)}:45`,
      timeZone: ZONE,
      rrule,
    };
    rows.push({
      ...event,
      userId,
      uid: `seed-${index}@bench`,
      title: `${repeating ? "Series" : "Event"} ${index}`,
      location: index % 3 === 0 ? "Room 1" : "",
      ...eventRange(event),
    });
  }
  await prisma.event.createMany({ data: rows });
}
