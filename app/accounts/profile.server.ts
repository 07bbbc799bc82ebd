import { prisma } from "~/db/db.server";

type ProfileInput = { name?: string | undefined; timeZone: string };

/**
 * Saves name and time zone; the caller has validated them (profileSchema). A changed zone also records
 * when it changed and what it was (the morning briefing needs both after a move east). One statement:
 * SET reads the row as it was, so the zone left behind is the one really stored, even with two saves
 * at once.
 */
export async function updateProfile(userId: string, input: ProfileInput, now: Date = new Date()): Promise<void> {
  const name = input.name?.trim() || null;
  await prisma.$executeRaw`
    UPDATE "User" SET
      name = ${name},
      "timeZone" = ${input.timeZone},
      "previousTimeZone" = CASE WHEN "timeZone" <> ${input.timeZone} THEN "timeZone" ELSE "previousTimeZone" END,
      "timeZoneChangedAt" = CASE WHEN "timeZone" <> ${input.timeZone} THEN ${now} ELSE "timeZoneChangedAt" END,
      "updatedAt" = ${now}
    WHERE id = ${userId}`;
}

export function getProfile(userId: string) {
  return prisma.user.findUniqueOrThrow({
    where: { id: userId },
    select: { email: true, name: true, timeZone: true },
  });
}
