import { z } from "zod";
import { prisma } from "~/db/db.server";
import type { Prisma } from "~/generated/prisma/client";
import type { ImportReport } from "./events.server";

/**
 * An import's report, kept for the page the import redirects to (Post/Redirect/Get): reloading that
 * page shows the report again instead of posting the file a second time. A row rather than process
 * memory, since the redirected GET may reach another ARES process.
 */

/** How long an import's report is kept: long enough for the page it leads to, and a reload or two. */
const KEPT_MS = 60 * 60_000;

const event = z.object({ uid: z.string(), title: z.string() });
const reportSchema = z.object({
  created: z.array(event),
  updated: z.array(event),
  skipped: z.array(event.extend({ reason: z.string() })),
});

/** Stores my import's report and returns its id, for the address the import redirects to. */
export async function keepImportReport(userId: string, report: ImportReport): Promise<string> {
  const { id } = await prisma.calendarImport.create({
    data: { userId, report: report as unknown as Prisma.InputJsonObject },
    select: { id: true },
  });
  // Anyone's reports go once they are an hour old: the table holds the last hour's imports, no job needed.
  await prisma.calendarImport.deleteMany({ where: { createdAt: { lt: new Date(Date.now() - KEPT_MS) } } });
  return id;
}

/** My import's report by id; null for anyone else's, or one no longer kept. */
export async function importReport(userId: string, id: string): Promise<ImportReport | null> {
  const row = await prisma.calendarImport.findFirst({ where: { id, userId }, select: { report: true } });
  if (!row) return null;
  const parsed = reportSchema.safeParse(row.report);
  return parsed.success ? parsed.data : null;
}
