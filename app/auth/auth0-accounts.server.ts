import { recordAudit } from "~/audit/audit.server";
import { prisma } from "~/db/db.server";
import type { Role } from "~/generated/prisma/enums";
import { createAccount, EmailTakenError, normaliseEmail } from "./accounts.server";
import { syncRole } from "./roles.server";
import type { RequestOrigin } from "./sign-in.server";

/** Who Auth0 says signed in, read from a checked ID token. */
export type Auth0Identity = {
  sub: string;
  email: string | undefined;
  emailVerified: boolean;
  name: string | undefined;
  /** The roles claim; undefined when the token has none (then it says nothing about roles). */
  roleNames: string[] | undefined;
};

type AccountUser = { id: string; email: string; role: Role };

type Auth0AccountRefusal =
  "disabled" | "email_unverified" | "new_email_unverified" | "no_email" | "linked_to_other_identity";

/**
 * `generation`: the account's credentialGeneration read with it, for the session the sign-in writes: a
 * revocation ("sign out everywhere else", disabling) committed meanwhile makes that write refused
 * (revocation.server.ts), as for a password sign-in.
 */
type Auth0Account =
  | { ok: true; user: AccountUser; created: boolean; generation: number }
  | { ok: false; reason: Auth0AccountRefusal; user?: AccountUser };

const accountFields = {
  id: true,
  email: true,
  role: true,
  auth0Sub: true,
  disabledAt: true,
  credentialGeneration: true,
} as const;

/**
 * Finds the account for an Auth0 identity: by `sub`; else an existing account with the same, verified, email
 * (linking it); else a new one. `idpRole` is what Auth0 says (undefined: nothing) and is synced onto the account.
 */
export async function findOrCreateAuth0Account(
  identity: Auth0Identity,
  idpRole: Role | undefined,
  origin: RequestOrigin,
): Promise<Auth0Account> {
  // Two first sign-ins of the same person may race to create the account; the loser finds it on its second pass.
  for (let attempt = 0; ; attempt += 1) {
    const found = await findOrLink(identity, origin);
    if (found) {
      if (!found.ok) return found;
      const user = { ...found.user };
      if (idpRole) user.role = (await syncRole(user, idpRole, origin, "auth0")).role;
      return { ok: true, user, created: false, generation: found.generation };
    }
    if (!identity.email) return { ok: false, reason: "no_email" };
    // Anyone can put any address on an unverified IdP profile: an account under it would take the
    // address from its real owner (who could then neither sign up nor link).
    if (!identity.emailVerified) return { ok: false, reason: "new_email_unverified" };
    try {
      const user = await createAccount({
        email: identity.email,
        name: identity.name,
        auth0Sub: identity.sub,
        // Otherwise the usual rule: the first account on an instance becomes admin.
        role: idpRole === "admin" ? "admin" : undefined,
      });
      await recordAudit(
        { actor: user, ...origin },
        { action: "signup", outcome: "success", details: { method: "auth0", role: user.role } },
      );
      // A new account: no revocation yet.
      return { ok: true, user, created: true, generation: 0 };
    } catch (error) {
      if (!(error instanceof EmailTakenError) || attempt > 0) throw error;
    }
  }
}

async function findOrLink(identity: Auth0Identity, origin: RequestOrigin): Promise<Auth0Account | undefined> {
  const bySub = await prisma.user.findUnique({ where: { auth0Sub: identity.sub }, select: accountFields });
  if (bySub) return usable(bySub);
  if (!identity.email) return undefined;
  const byEmail = await prisma.user.findUnique({
    where: { email: normaliseEmail(identity.email) },
    select: accountFields,
  });
  if (!byEmail) return undefined;
  const user = { id: byEmail.id, email: byEmail.email, role: byEmail.role };
  // Anyone can put any address on an unverified IdP profile: linking on it would hand over the account.
  if (!identity.emailVerified) return { ok: false, reason: "email_unverified", user };
  if (byEmail.auth0Sub) return { ok: false, reason: "linked_to_other_identity", user };
  if (byEmail.disabledAt) return { ok: false, reason: "disabled", user };
  const { count } = await prisma.user.updateMany({
    where: { id: byEmail.id, auth0Sub: null },
    data: { auth0Sub: identity.sub },
  });
  if (count === 0) return { ok: false, reason: "linked_to_other_identity", user };
  // From now on this Auth0 identity signs in as the account: the owner and admins must be able to see when.
  await recordAudit(
    { actor: user, ...origin },
    {
      action: "account.link",
      outcome: "success",
      target: { type: "user", id: user.id },
      details: { method: "auth0", sub: identity.sub },
    },
  );
  return { ok: true, user, created: false, generation: byEmail.credentialGeneration };
}

function usable(row: AccountUser & { disabledAt: Date | null; credentialGeneration: number }): Auth0Account {
  const user = { id: row.id, email: row.email, role: row.role };
  if (row.disabledAt) return { ok: false, reason: "disabled", user };
  return { ok: true, user, created: false, generation: row.credentialGeneration };
}
