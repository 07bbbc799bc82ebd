import type { Role } from "~/generated/prisma/enums";

/** What the app knows about the signed-in person on every request. */
export type SessionUser = {
  id: string;
  email: string;
  name: string | null;
  role: Role;
  timeZone: string;
};

export type ActiveSession = {
  id: string;
  method: string;
  persistent: boolean;
};

/** Why a presented session cookie was refused; shown to the person on the login page. */
export type SessionEndReason = "revoked" | "expired" | "disabled" | "unknown";

export type RequestAuth =
  | {
      user: SessionUser;
      session: ActiveSession;
      ended?: undefined;
      /** Unread notifications (capped at UNREAD_COUNT_CAP), read with the session in the same statement. */
      unreadNotifications?: number;
    }
  | {
      user: null;
      session: null;
      ended?: SessionEndReason;
      /** Whose session it was (revoked, expired, disabled): what it left behind stays theirs. */
      endedUserId?: string;
      /** The ended session's row id: what a replay of its cookie does is counted under it, not the person. */
      endedSessionId?: string;
      /** When it was revoked or expired (none for a disabled account). */
      endedAt?: Date;
      unreadNotifications?: undefined;
    };
