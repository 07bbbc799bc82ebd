import { prisma } from "~/db/db.server";

type ProfileInput = { name?: string | undefined; timeZone: string };

/** Saves name and time zone; the caller has validated them (profileSchema). */
export async function updateProfile(userId: string, input: ProfileInput): Promise<void> {
  await prisma.user.update({
    where: { id: userId },
    data: { name: input.name?.trim() || null, timeZone: input.timeZone },
  });
}

export function getProfile(userId: string) {
  return prisma.user.findUniqueOrThrow({
    where: { id: userId },
    select: { email: true, name: true, timeZone: true },
  });
}
