import { recordAudit, type AuditOrigin } from "~/audit/audit.server";
import { withAdminLock } from "~/accounts/admins.server";
import type { Role } from "~/generated/prisma/enums";
import { logger } from "~/observability/logger.server";

/**
 * An identity provider's role names as an ARES role: only a name configured in AUTH0_ADMIN_ROLES,
 * matched exactly, makes an admin ("billing-admin" and "not-admin" do not).
 */
export function roleFromNames(names: readonly string[], adminRoles: readonly string[]): Role {
  return names.some((name) => adminRoles.includes(name)) ? "admin" : "user";
}

type RoleSync = { role: Role; changed: boolean; keptLastAdmin?: true };

/**
 * Makes the stored role match what the identity provider says, auditing a change. The last active admin is
 * never demoted this way: that would lock every admin out of the instance.
 */
export async function syncRole(
  user: { id: string; email: string; role: Role },
  wanted: Role,
  origin: AuditOrigin,
  source: string,
): Promise<RoleSync> {
  if (user.role === wanted) return { role: wanted, changed: false };
  // The same lock as the admin pages' changes: a sign-in and an admin's demotion cannot both remove "the other" admin.
  const outcome = await withAdminLock(async (tx) => {
    if (wanted !== "admin") {
      const otherAdmins = await tx.user.count({ where: { role: "admin", disabledAt: null, id: { not: user.id } } });
      if (otherAdmins === 0) return "kept_last_admin" as const;
    }
    await tx.user.update({ where: { id: user.id }, data: { role: wanted } });
    return "changed" as const;
  });
  if (outcome === "kept_last_admin") {
    logger.warn({ userId: user.id, source }, "identity provider says user, but this is the last admin: kept admin");
    return { role: user.role, changed: false, keptLastAdmin: true };
  }
  await recordAudit(
    { ...origin, actor: null },
    {
      action: "user.role_change",
      outcome: "success",
      target: { type: "user", id: user.id },
      details: { from: user.role, to: wanted, source, email: user.email },
    },
  );
  return { role: wanted, changed: true };
}
