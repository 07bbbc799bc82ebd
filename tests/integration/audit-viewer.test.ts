/**
 * The admin audit viewer and its CSV download on real PostgreSQL: filters (user by email or id, action,
 * whole days in the admin's zone), keyset pages, CSV escaping with formula guarding, and self-auditing.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { deleteMyAccount } from "~/accounts/deletion.server";
import { exportAuditCsv, viewAuditLog } from "~/admin/audit-log.server";
import { csvCell, csvLine } from "~/admin/csv";
import { prisma } from "~/db/db.server";
import { auditRows, makeUser, origin } from "../support/accounts";

beforeEach(async () => {
  await prisma.auditEvent.deleteMany();
  await prisma.user.deleteMany();
});

async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(stream).text();
}

/** A small RFC 4180 reader, to prove the output round-trips. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"') quoted = true;
    else if (char === ",") {
      row.push(cell);
      cell = "";
    } else if (char === "\r" && text[i + 1] === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
      i++;
    } else cell += char;
  }
  return rows;
}

const params = (values: Record<string, string> = {}) => new URLSearchParams(values);

describe("CSV cells", () => {
  it("quotes commas, quotes and line breaks", () => {
    expect(csvCell("plain")).toBe("plain");
    expect(csvCell('say "hi", ok')).toBe('"say ""hi"", ok"');
    expect(csvCell("two\nlines")).toBe('"two\nlines"');
    expect(csvCell(null)).toBe("");
    expect(csvCell({ a: 1 })).toBe('"{""a"":1}"');
    expect(csvCell(new Date("2026-01-02T03:04:05Z"))).toBe("2026-01-02T03:04:05.000Z");
    expect(csvLine(["a", "b"])).toBe("a,b\r\n");
  });

  it("guards every cell a spreadsheet would run as a formula", () => {
    expect(csvCell('=HYPERLINK("http://evil")')).toBe('"\'=HYPERLINK(""http://evil"")"');
    expect(csvCell("+SUM(A1)")).toBe("'+SUM(A1)");
    expect(csvCell("-2+3")).toBe("'-2+3");
    expect(csvCell("@cmd")).toBe("'@cmd");
    expect(csvCell("\t=1")).toBe("'\t=1");
    expect(csvCell("a=b")).toBe("a=b");
  });
});

describe("the audit viewer", () => {
  it("filters by action and by user (email or id), and audits each view", async () => {
    const admin = await makeUser({ role: "admin" });
    const person = await makeUser({ email: "person@example.test" });
    await prisma.auditEvent.createMany({
      data: [
        { action: "login", outcome: "success", actorId: person.id, actorEmail: person.email },
        { action: "login", outcome: "failure", actorId: admin.id, actorEmail: admin.email },
        { action: "logout", outcome: "success", actorId: person.id, actorEmail: person.email },
      ],
    });
    const byAction = await viewAuditLog(admin, params({ action: "login" }), origin);
    expect(byAction.rows.map((row) => row.action)).toEqual(["login", "login"]);
    const byEmail = await viewAuditLog(admin, params({ user: "PERSON@example.test" }), origin);
    expect(byEmail.rows.map((row) => row.action).sort()).toEqual(["login", "logout"]);
    const byId = await viewAuditLog(admin, params({ user: person.id, action: "logout" }), origin);
    expect(byId.rows).toMatchObject([{ action: "logout", actorEmail: person.email }]);
    expect(await auditRows("audit.view")).toHaveLength(3);
    expect((await auditRows("audit.view"))[2]).toMatchObject({ actorId: admin.id, details: { action: "logout" } });
  });

  it("issue 12: hides views of the log itself unless asked; details come as label/value pairs with the JSON", async () => {
    const admin = await makeUser({ role: "admin" });
    await prisma.auditEvent.createMany({
      data: [
        { action: "audit.view", outcome: "success", actorId: admin.id, details: { action: "login" } },
        {
          action: "user.role_change",
          outcome: "success",
          actorId: admin.id,
          details: { from: "user", to: "admin", note: null, limits: { daily: 3 } },
        },
      ],
    });
    const plain = await viewAuditLog(admin, params(), origin);
    expect(plain.rows.map((row) => row.action)).toEqual(["user.role_change"]);
    // PostgreSQL's jsonb keeps its own key order.
    expect(plain.rows[0]!.details).toHaveLength(4);
    expect(plain.rows[0]!.details).toEqual(
      expect.arrayContaining([
        { key: "from", value: "user" },
        { key: "to", value: "admin" },
        { key: "note", value: "—" },
        { key: "limits", value: '{"daily":3}' },
      ]),
    );
    expect(JSON.parse(plain.rows[0]!.detailsJson)).toEqual({
      from: "user",
      to: "admin",
      note: null,
      limits: { daily: 3 },
    });
    // The view just made is recorded, and shown once asked for.
    const withViews = await viewAuditLog(admin, params({ views: "1" }), origin);
    expect(withViews.rows.map((row) => row.action)).toEqual(["audit.view", "user.role_change", "audit.view"]);
    const chosen = await viewAuditLog(admin, params({ action: "audit.view" }), origin);
    expect(chosen.rows.every((row) => row.action === "audit.view")).toBe(true);
    expect(chosen.rows).toHaveLength(3);
    // The CSV follows the same filters (the export records itself before it streams).
    const csv = await exportAuditCsv(admin, params(), origin);
    if (!csv.ok) throw new Error(csv.message);
    const csvRows = parseCsv(await readAll(csv.body)).slice(1);
    expect(csvRows.map((row) => row[3])).toEqual(["audit.export", "user.role_change"]);
  });

  it("finds a deleted account's trail by the email kept on its events", async () => {
    const admin = await makeUser({ role: "admin" });
    const gone = await makeUser({ email: "gone@example.test" });
    await deleteMyAccount(gone, gone.email, origin);
    const log = await viewAuditLog(admin, params({ user: "gone@example.test" }), origin);
    expect(log.rows).toMatchObject([{ action: "account.delete", actorId: null, actorEmail: "gone@example.test" }]);
  });

  it("reads dates as whole days in the admin's time zone, the end day included", async () => {
    const admin = await makeUser({ role: "admin", timeZone: "America/New_York" });
    await prisma.auditEvent.createMany({
      data: [
        // 2026-03-01 23:30 in New York (UTC-5) is already 2 March in UTC.
        { action: "login", outcome: "success", createdAt: new Date("2026-03-02T04:30:00Z") },
        // 2026-03-02 00:30 in New York.
        { action: "logout", outcome: "success", createdAt: new Date("2026-03-02T05:30:00Z") },
      ],
    });
    const first = await viewAuditLog(admin, params({ from: "2026-03-01", to: "2026-03-01" }), origin);
    expect(first.rows.map((row) => row.action)).toEqual(["login"]);
    expect(first.rows[0]!.time).toBe("1 Mar 2026, 23:30");
    const second = await viewAuditLog(admin, params({ from: "2026-03-02" }), origin);
    expect(second.rows.map((row) => row.action)).toContain("logout");
    expect(second.rows.map((row) => row.action)).not.toContain("login");
  });

  it("explains bad filters instead of failing, keeping what was typed", async () => {
    const admin = await makeUser({ role: "admin" });
    const log = await viewAuditLog(
      admin,
      params({ user: "someone", action: "drop-table", from: "2026-02-30", to: "yesterday" }),
      origin,
    );
    expect(log.ok).toBe(false);
    expect(log.values).toEqual({
      user: "someone",
      action: "drop-table",
      from: "2026-02-30",
      to: "yesterday",
      views: "",
    });
    if (log.ok) return;
    expect(log.errors.action).toEqual(["Choose an action from the list."]);
    expect(log.errors.from).toEqual(["Use a real date between 1970 and 9998, like 2026-03-01."]);
    expect(log.errors.to).toEqual(["Use a real date between 1970 and 9998, like 2026-03-01."]);
    // Answered 500 before: the day after 9999-12-31 is no longer YYYY-MM-DD, and Date.UTC reads year 0050 as 1950.
    for (const [from, to] of [
      ["2026-01-01", "9999-12-31"],
      ["0050-01-01", "2026-01-01"],
    ]) {
      const outside = await viewAuditLog(admin, params({ from: from!, to: to! }), origin);
      expect(outside.ok ? [] : [...(outside.errors.from ?? []), ...(outside.errors.to ?? [])]).toEqual([
        "Use a real date between 1970 and 9998, like 2026-03-01.",
      ]);
    }
    // Not a day at all: the one message that says so, not also that the range is reversed.
    const garbage = await viewAuditLog(admin, params({ from: "garbage", to: "2026-99-99" }), origin);
    expect(garbage.ok ? [] : garbage.errors.to).toEqual(["Use a real date between 1970 and 9998, like 2026-03-01."]);
    const reversed = await viewAuditLog(admin, params({ from: "2026-03-02", to: "2026-03-01" }), origin);
    expect(reversed.ok ? [] : reversed.errors.to).toEqual(["The start date must be on or before the end date."]);
  });

  it("pages through every event exactly once, ties on createdAt included", async () => {
    const admin = await makeUser({ role: "admin" });
    const instant = new Date("2026-02-01T12:00:00Z");
    await prisma.auditEvent.createMany({
      data: Array.from({ length: 120 }, (_, i) => ({
        action: "login",
        outcome: "success",
        details: { n: i },
        createdAt: new Date(instant.getTime() + (i % 4) * 1000),
      })),
    });
    const seen = new Set<string>();
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof viewAuditLog>> = await viewAuditLog(
        admin,
        params({ action: "login", ...(cursor ? { cursor } : {}) }),
        origin,
      );
      for (const row of page.rows) {
        expect(seen.has(row.id)).toBe(false);
        seen.add(row.id);
      }
      cursor = page.next;
    } while (cursor);
    expect(seen.size).toBe(120);
  });
});

describe("the CSV download", () => {
  it("streams every matching row with safe cells, and records the export", async () => {
    const admin = await makeUser({ role: "admin" });
    await prisma.auditEvent.createMany({
      data: [
        {
          action: "login",
          outcome: "failure",
          actorEmail: "=cmd|' /C calc'!A0",
          userAgent: 'Agent "quoted", with comma\nand newline',
          details: { email: "@SUM(1+1)" },
          createdAt: new Date("2026-01-01T00:00:00Z"),
        },
        ...Array.from({ length: 1200 }, (_, i) => ({
          action: "logout",
          outcome: "success",
          ip: `-${i}`,
          createdAt: new Date(Date.UTC(2026, 0, 2, 0, 0, i % 10)),
        })),
      ],
    });
    const result = await exportAuditCsv(admin, params({ action: "login" }), origin);
    if (!result.ok) throw new Error(result.message);
    const rows = parseCsv(await readAll(result.body));
    expect(rows[0]).toEqual([
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
    ]);
    expect(rows).toHaveLength(2);
    expect(rows[1]).toEqual([
      "2026-01-01T00:00:00.000Z",
      "'=cmd|' /C calc'!A0",
      "",
      "login",
      "failure",
      "",
      "",
      "",
      'Agent "quoted", with comma\nand newline',
      '{"email":"@SUM(1+1)"}',
    ]);

    // More rows than one batch: every one comes out once, formula-guarded.
    const all = await exportAuditCsv(admin, params({ action: "logout" }), origin);
    if (!all.ok) throw new Error(all.message);
    const logoutRows = parseCsv(await readAll(all.body)).slice(1);
    expect(logoutRows).toHaveLength(1200);
    expect(new Set(logoutRows.map((row) => row[7])).size).toBe(1200);
    expect(logoutRows.every((row) => row[7]!.startsWith("'-"))).toBe(true);

    expect(await auditRows("audit.export")).toMatchObject([
      { actorId: admin.id, outcome: "success", details: { action: "login" } },
      { actorId: admin.id, outcome: "success", details: { action: "logout" } },
    ]);
  });

  it("refuses bad filters with a message and records nothing", async () => {
    const admin = await makeUser({ role: "admin" });
    const result = await exportAuditCsv(admin, params({ from: "soon" }), origin);
    expect(result).toEqual({ ok: false, message: "Use a real date between 1970 and 9998, like 2026-03-01." });
    expect(await auditRows("audit.export")).toEqual([]);
  });
});
