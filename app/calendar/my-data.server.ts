import { prisma } from "~/db/db.server";
import { feedUrlForDisplay } from "./subscription-fetch.server";

/**
 * What the calendar holds about a person, for "Download all my data": every event (series, overrides,
 * imported and subscribed copies), the imported events deleted here, the subscriptions (a feed address's secrets as •••), whether a private feed link exists (never its hash)
 * and the changes the assistant proposed. Account deletion cascades from User.
 */
export const CALENDAR_EXPORT_SECTIONS: Array<{ key: string; collect: (userId: string) => Promise<unknown> }> = [
  {
    key: "calendarEvents",
    collect: (userId) =>
      prisma.event.findMany({
        where: { userId },
        orderBy: [{ startLocal: "asc" }, { id: "asc" }],
        select: {
          id: true,
          uid: true,
          title: true,
          description: true,
          location: true,
          allDay: true,
          startLocal: true,
          endLocal: true,
          timeZone: true,
          rrule: true,
          exdates: true,
          seriesId: true,
          recurrenceId: true,
          reminders: true,
          source: true,
          subscriptionId: true,
          createdAt: true,
          updatedAt: true,
          // Stored with the event (the fingerprint of the family as an import last left it): all of it is exported.
          importedVersion: true,
        },
      }),
  },
  {
    // The UIDs of imported events I deleted here, which importing their file again does not bring back.
    key: "calendarDeletedImports",
    collect: (userId) =>
      prisma.deletedImportedEvent.findMany({
        where: { userId },
        orderBy: [{ deletedAt: "asc" }, { uid: "asc" }],
        select: { uid: true, deletedAt: true, lastEnd: true },
      }),
  },
  {
    key: "calendarSubscriptions",
    // A feed address's secrets (user:password, query values, random path segments) are credentials for
    // another server, not the person's data: masked as on the pages. The exact address could be argued for
    // (the person typed it), but the file leaves ARES — saved, mailed, attached to a support ticket — and
    // anyone holding it could read that calendar; the service that issued the link shows it again.
    collect: async (userId) =>
      (
        await prisma.calendarSubscription.findMany({
          where: { userId },
          orderBy: [{ createdAt: "asc" }, { id: "asc" }],
          select: {
            id: true,
            name: true,
            url: true,
            refreshMinutes: true,
            lastSuccessAt: true,
            lastError: true,
            createdAt: true,
            updatedAt: true,
          },
        })
      ).map((subscription) => ({ ...subscription, url: feedUrlForDisplay(subscription.url) })),
  },
  {
    key: "calendarFeed",
    // Only that a link exists and since when: the token is a credential and only its hash is kept.
    collect: (userId) => prisma.calendarFeed.findUnique({ where: { userId }, select: { createdAt: true } }),
  },
  {
    key: "calendarAssistantChanges",
    collect: (userId) =>
      prisma.calendarAction.findMany({
        where: { userId },
        orderBy: [{ createdAt: "asc" }, { id: "asc" }],
        select: {
          kind: true,
          status: true,
          input: true,
          preview: true,
          eventId: true,
          messageId: true,
          decidedAt: true,
          createdAt: true,
        },
      }),
  },
];
