import { z } from "zod";
import { prisma } from "~/db/db.server";
import { type ImportOptions, importEvents } from "./events.server";

/**
 * An import's report, kept for the page the import redirects to (Post/Redirect/Get): reloading that
 * page shows the report again instead of posting the file a second time. A row rather than process
 * memory, since the redirected GET may reach another ARES process. It holds what the page shows (the
 * counts, and the titles of the events it kept, did not bring back or skipped), not every event imported:
 * a file of thousands stays a small row.
 */

/** How long an import's report is kept: long enough for the page it leads to, and a reload or two. */
export const IMPORT_REPORT_KEPT_MS = 60 * 60_000;

const summarySchema = z.object({
  created: z.number().int(),
  updated: z.number().int(),
  // Reports kept from before it was counted have none.
  kept: z.array(z.object({ title: z.string() })).default([]),
  // Imported before and deleted here since, so not brought back (title as in the file).
  deletedHere: z.array(z.object({ title: z.string() })).default([]),
  skipped: z.array(z.object({ title: z.string(), reason: z.string() })),
});

/**
 * What an import's page says: how many events it created and updated, which it kept as changed here since
 * they were imported, which it did not bring back as deleted here, and which it skipped and why.
 */
export type ImportSummary = z.infer<typeof summarySchema>;

/**
 * Imports a file into my calendar and keeps its report, in one transaction: an import that committed
 * has its report (the redirect always has a page to show). Returns the report's id.
 */
export async function importKeepingReport(
  userId: string,
  parsed: Parameters<typeof importEvents>[1],
  options: ImportOptions = {},
): Promise<string> {
  let id = "";
  await importEvents(
    userId,
    parsed,
    async (tx, report) => {
      const summary: ImportSummary = {
        created: report.created.length,
        updated: report.updated.length,
        kept: report.kept.map(({ title }) => ({ title })),
        deletedHere: report.deletedHere.map(({ title }) => ({ title })),
        skipped: report.skipped.map(({ title, reason }) => ({ title, reason })),
      };
      ({ id } = await tx.calendarImport.create({ data: { userId, report: summary }, select: { id: true } }));
    },
    options,
  );
  return id;
}

/** My import's report by id; null for anyone else's, or one no longer kept (even if not yet purged). */
export async function importReport(userId: string, id: string, now = new Date()): Promise<ImportSummary | null> {
  const row = await prisma.calendarImport.findFirst({
    where: { id, userId, createdAt: { gte: new Date(now.getTime() - IMPORT_REPORT_KEPT_MS) } },
    select: { report: true },
  });
  if (!row) return null;
  const parsed = summarySchema.safeParse(row.report);
  return parsed.success ? parsed.data : null;
}

/** Deletes everyone's import reports past their keep time (the hourly purge job). Returns how many. */
export async function purgeImportReports(now = new Date(), signal?: AbortSignal): Promise<number> {
  signal?.throwIfAborted();
  const { count } = await prisma.calendarImport.deleteMany({
    where: { createdAt: { lt: new Date(now.getTime() - IMPORT_REPORT_KEPT_MS) } },
  });
  return count;
}
