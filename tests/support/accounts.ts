import { createAccount } from "~/auth/accounts.server";
import { prisma } from "~/db/db.server";
import type { Role } from "~/generated/prisma/enums";
import { createSession } from "~/sessions/sessions.server";
import type { SessionUser } from "~/sessions/types";

let counter = 0;

export function uniqueEmail(prefix = "person"): string {
  counter += 1;
  return `${prefix}-${counter}-${Math.random().toString(36).slice(2, 8)}@example.test`;
}

/** An account as the request context carries it (what the domain functions take as actor). */
export async function makeUser(
  options: { role?: Role; email?: string; name?: string; password?: string; timeZone?: string } = {},
): Promise<SessionUser> {
  const created = await createAccount({
    email: options.email ?? uniqueEmail(options.role ?? "user"),
    name: options.name ?? null,
    password: options.password,
    role: options.role ?? "user",
  });
  const timeZone = options.timeZone ?? "UTC";
  if (timeZone !== "UTC") await prisma.user.update({ where: { id: created.id }, data: { timeZone } });
  return { id: created.id, email: created.email, name: options.name ?? null, role: created.role, timeZone };
}

export function makeSession(userId: string, userAgent = "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0") {
  return createSession({ userId, persistent: false, method: "password", ip: "203.0.113.7", userAgent });
}

export const origin = { ip: "198.51.100.1", userAgent: "vitest" };

export function auditRows(action: string) {
  return prisma.auditEvent.findMany({ where: { action }, orderBy: { createdAt: "asc" } });
}
