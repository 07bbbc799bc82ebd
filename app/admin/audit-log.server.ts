import { z } from "zod";
import { formatDateTime, nextDay, startOfDayInZone } from "~/accounts/time-zone";
import { normaliseEmail } from "~/auth/accounts.server";
import {
  AUDIT_ACTIONS,
  allAuditEvents,
  listAuditEvents,
  recordAudit,
  type AuditFilter,
  type AuditOrigin,
} from "~/audit/audit.server";
import { prisma } from "~/db/db.server";
import type { SessionUser } from "~/sessions/types";
import { csvLine } from "./csv";
import { decodeCreatedAtCursor, encodeCreatedAtCursor } from "~/validation/cursor";

const AUDIT_PAGE_SIZE = 50;

/**
 * "YYYY-MM-DD" naming a real calendar day (what <input type="date"> sends), in years a filter can use:
 * Date.UTC reads years 0–99 as 1900–1999, and the day after 9999-12-31 is no longer YYYY-MM-DD.
 */
function isCalendarDay(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  const year = Number(value.slice(0, 4));
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value) && year >= 1970 && year <= 9998;
}

const day = z.string().refine(isCalendarDay, "Use a real date between 1970 and 9998, like 2026-03-01.").optional();

/** The viewer's query string: a GET form, so the same filters drive the page and the CSV link. */
const auditQuerySchema = z
  .object({
    user: z.string().trim().max(254, "That is too long for an email address or user id.").optional(),
    action: z.enum(AUDIT_ACTIONS, { error: "Choose an action from the list." }).optional(),
    from: day,
    to: day,
    views: z.literal("1", { error: "Leave “Show views of this log” ticked or unticked." }).optional(),
  })
  // Only between two real days: beside "Use a real date" it was a second, wrong message on the same field.
  .refine(
    (value) =>
      !value.from || !value.to || !isCalendarDay(value.from) || !isCalendarDay(value.to) || value.from <= value.to,
    {
      message: "The start date must be on or before the end date.",
      path: ["to"],
    },
  );

type AuditQueryValues = { user: string; action: string; from: string; to: string; views: string };

type ParsedQuery =
  | { ok: true; values: AuditQueryValues; filter: AuditFilter }
  | { ok: false; values: AuditQueryValues; errors: Partial<Record<keyof AuditQueryValues, string[]>> };

/** Reads the filters; dates are whole days in the admin's time zone, "to" inclusive. */
async function parseAuditQuery(params: URLSearchParams, timeZone: string): Promise<ParsedQuery> {
  const values: AuditQueryValues = {
    user: params.get("user") ?? "",
    action: params.get("action") ?? "",
    from: params.get("from") ?? "",
    to: params.get("to") ?? "",
    views: params.get("views") ?? "",
  };
  const present = Object.fromEntries(Object.entries(values).filter(([, value]) => value.trim() !== ""));
  const parsed = auditQuerySchema.safeParse(present);
  if (!parsed.success) {
    const errors: Partial<Record<keyof AuditQueryValues, string[]>> = {};
    for (const issue of parsed.error.issues) {
      const key = String(issue.path[0] ?? "user") as keyof AuditQueryValues;
      (errors[key] ??= []).push(issue.message);
    }
    return { ok: false, values, errors };
  }
  const { user, action, from, to, views } = parsed.data;
  const filter: AuditFilter = {
    ...(action ? { action } : {}),
    // Each look at the log is recorded, so unfiltered the log is mostly the admin's own views: they
    // are hidden unless asked for (the checkbox, or choosing the audit.view action).
    ...(views ? {} : { excludeActions: ["audit.view"] }),
    ...(from ? { from: startOfDayInZone(from, timeZone) } : {}),
    ...(to ? { to: startOfDayInZone(nextDay(to), timeZone) } : {}),
  };
  if (user) {
    if (user.includes("@")) {
      // A live account is matched by id (indexed); a deleted one only by the email kept on its events.
      const account = await prisma.user.findUnique({ where: { email: normaliseEmail(user) }, select: { id: true } });
      if (account) filter.actorId = account.id;
      else filter.actorEmail = user;
    } else {
      filter.actorId = user;
    }
  }
  return { ok: true, values, filter };
}

function describeFilter(filter: AuditFilter): Record<string, string> {
  return Object.fromEntries(
    Object.entries(filter).map(([key, value]) => [
      key,
      value instanceof Date ? value.toISOString() : Array.isArray(value) ? value.join(",") : String(value),
    ]),
  );
}

/**
 * Details as label/value pairs to read at a glance: top-level keys in stored order, text as is,
 * anything nested as compact JSON (the full JSON is one click away on the page).
 */
function detailEntries(details: unknown): Array<{ key: string; value: string }> {
  if (details === null || details === undefined) return [];
  if (typeof details !== "object" || Array.isArray(details)) return [{ key: "value", value: JSON.stringify(details) }];
  return Object.entries(details).map(([key, value]) => ({
    key,
    value: value === null ? "—" : typeof value === "string" ? value : JSON.stringify(value),
  }));
}

/** One page of the audit log for the viewer (times in the admin's zone); each view is itself audited. */
export async function viewAuditLog(admin: SessionUser, params: URLSearchParams, origin: Omit<AuditOrigin, "actor">) {
  const query = await parseAuditQuery(params, admin.timeZone);
  if (!query.ok) return { ...query, rows: [], next: null };
  const page = await listAuditEvents(query.filter, decodeCreatedAtCursor(params.get("cursor")), AUDIT_PAGE_SIZE);
  await recordAudit(
    { actor: admin, ...origin },
    { action: "audit.view", outcome: "success", details: describeFilter(query.filter) },
  );
  return {
    ...query,
    rows: page.rows.map((row) => ({
      id: row.id,
      createdAt: row.createdAt.toISOString(),
      time: formatDateTime(row.createdAt, admin.timeZone),
      actorId: row.actorId,
      actorEmail: row.actorEmail,
      action: row.action,
      outcome: row.outcome,
      target: row.targetType && row.targetId ? `${row.targetType} ${row.targetId}` : "",
      targetUserId: row.targetType === "user" ? row.targetId : null,
      ip: row.ip,
      details: detailEntries(row.details),
      detailsJson: row.details === null ? "" : JSON.stringify(row.details, null, 2),
    })),
    next: page.next ? encodeCreatedAtCursor(page.next) : null,
  };
}

const CSV_HEADER = [
  "time_utc",
  "actor_email",
  "actor_id",
  "action",
  "outcome",
  "target_type",
  "target_id",
  "ip",
  "user_agent",
  "details",
];

/** Every event matching the filters as CSV, streamed in keyset batches; the export is audited first. */
export async function exportAuditCsv(
  admin: SessionUser,
  params: URLSearchParams,
  origin: Omit<AuditOrigin, "actor">,
): Promise<{ ok: true; body: ReadableStream<Uint8Array> } | { ok: false; message: string }> {
  const query = await parseAuditQuery(params, admin.timeZone);
  if (!query.ok) return { ok: false, message: Object.values(query.errors).flat().join(" ") };
  await recordAudit(
    { actor: admin, ...origin },
    { action: "audit.export", outcome: "success", details: describeFilter(query.filter) },
  );
  const events = allAuditEvents(query.filter);
  const encoder = new TextEncoder();
  let headerSent = false;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!headerSent) {
        headerSent = true;
        controller.enqueue(encoder.encode(csvLine(CSV_HEADER)));
        return;
      }
      const { value, done } = await events.next();
      if (done) return controller.close();
      controller.enqueue(
        encoder.encode(
          csvLine([
            value.createdAt,
            value.actorEmail,
            value.actorId,
            value.action,
            value.outcome,
            value.targetType,
            value.targetId,
            value.ip,
            value.userAgent,
            value.details,
          ]),
        ),
      );
    },
    async cancel() {
      await events.return(undefined);
    },
  });
  return { ok: true, body };
}
