/**
 * The SQL injection scan of record (issue #16): sqlmap (Debian's package: `apt-get install -y sqlmap`)
 * at level 3, risk 2 over every main form and query parameter, signed in with a session cookie (so the
 * cookie, User-Agent and Referer are tested too), against a local production-mode instance — the
 * production build as `npm start` runs it, on a fresh PostgreSQL database, rate limits off so the scan
 * is not refused. Prints each target's verdict and a summary line; findings go in docs/reliability.md.
 *   npx tsx tests/proof/sqlmap-scan.ts [parallel=3] [only=<substrings of target labels, comma-separated>]
 * Slow (minutes per target): not part of `npm test`.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { startProductionServer } from "../../bench/production-server";
import { signedIn } from "../../bench/support";

const parallel = Number(process.argv[2] ?? 3);
const only = process.argv[3];

type Target = {
  label: string;
  path: string;
  data?: string;
  json?: boolean;
  signedIn?: boolean;
  /** A body's own media type (a multipart upload); forms and JSON are told apart by sqlmap. */
  contentType?: string;
};

/** The calendar's .ics import as a browser sends it: multipart, the file and the form's intent. */
const BOUNDARY = "----aresSqlmapBoundary";
const ICS_UPLOAD = [
  `--${BOUNDARY}`,
  'Content-Disposition: form-data; name="intent"',
  "",
  "import",
  `--${BOUNDARY}`,
  'Content-Disposition: form-data; name="file"; filename="team.ics"',
  "Content-Type: text/calendar",
  "",
  "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//sqlmap//EN\nBEGIN:VEVENT\nUID:sqlmap-1@example.test\nDTSTAMP:20260601T000000Z\nDTSTART:20260620T090000Z\nDTEND:20260620T100000Z\nSUMMARY:Planning\nLOCATION:Room 1\nEND:VEVENT\nEND:VCALENDAR",
  `--${BOUNDARY}--`,
  "",
].join("\r\n");

const server = await startProductionServer({ name: "sqlmap", port: 4317, tokenDelayMs: 0 });
const outputDir = fs.mkdtempSync(path.join(os.tmpdir(), "ares-sqlmap-"));
try {
  // The first account is the instance's admin: the admin pages' filters are in reach.
  const client = await signedIn(server.url);
  const cookie = client.jar.header();
  const conversation = (await (await client.postJson("/api/v1/conversations", {})).json()) as { id: string };
  await client.post(`/chat/${conversation.id}`, { intent: "send", message: "hello there" });
  await client.post("/calendar/new", {
    title: "Standup",
    startDate: "2026-06-15",
    startTime: "09:00",
    endDate: "2026-06-15",
    endTime: "09:30",
    timeZone: "Europe/Berlin",
    // A series: the event page's `occurrence` parameter names one of its days (a single event has none).
    repeat: "DAILY",
    reminders: "10",
  });
  await client.post("/memory", { intent: "add-fact", kind: "personal", key: "city", value: "Berlin" });
  const db = new pg.Client({ connectionString: server.databaseUrl });
  await db.connect();
  const eventId = (await db.query<{ id: string }>(`SELECT id FROM "Event" LIMIT 1`)).rows[0]?.id ?? "none";
  // Real ids of each kind a form or query names, so that a target is its page and not a 404 (sqlmap
  // gives up on a 404): my fact, a waiting proposal, a notification, my message and a calendar action in
  // it, and another person for the admin's forms.
  const first = async (sql: string, values: unknown[] = []) =>
    (await db.query<{ id: string }>(sql, values)).rows[0]?.id ?? "none";
  const userId = await first(`SELECT id FROM "User" ORDER BY "createdAt" LIMIT 1`);
  const factId = await first(`SELECT id FROM "MemoryFact" LIMIT 1`);
  const messageId = await first(`SELECT id FROM "Message" WHERE role = 'user' LIMIT 1`);
  // Two proposals: the one rejected by its target's first request is not the one the review page shows.
  const proposal = (id: string) =>
    first(
      `INSERT INTO "MemoryProposal" (id, "userId", type, kind, key, value, confidence, importance)
       VALUES ($2, $1, 'fact', 'personal', 'pet', 'a cat', 0.9, 3) RETURNING id`,
      [userId, id],
    );
  const proposalId = await proposal("sqlmap-proposal");
  const reviewedProposalId = await proposal("sqlmap-proposal-review");
  const notificationId = await first(
    `INSERT INTO "Notification" (id, "userId", kind, title, "dedupKey") VALUES ('sqlmap-note', $1, 'reminder', 'Standup', 'sqlmap') RETURNING id`,
    [userId],
  );
  const actionId = await first(
    `INSERT INTO "CalendarAction" (id, "userId", "messageId", kind, input, preview, "updatedAt")
     VALUES ('sqlmap-action', $1, $2, 'create', '{}', '{}', now()) RETURNING id`,
    [userId, messageId],
  );
  await signedIn(server.url); // another person, for the admin's forms
  const otherUserId = await first(`SELECT id FROM "User" WHERE id <> $1 LIMIT 1`, [userId]);
  await db.end();
  const c = conversation.id;

  const targets: Target[] = [
    { label: "sign-in form", path: "/login", data: "email=someone%40example.test&password=secret", signedIn: false },
    {
      label: "sign-up form",
      path: "/signup",
      data: "email=new%40example.test&password=long+enough+password",
      signedIn: false,
    },
    { label: "new conversation", path: "/chat?index", data: "message=hello" },
    { label: "send in a conversation", path: `/chat/${c}`, data: "intent=send&message=hello" },
    { label: "rename a conversation", path: `/chat/${c}`, data: "intent=rename&title=a+title" },
    { label: "send (API, JSON)", path: `/api/v1/conversations/${c}/messages`, data: '{"content":"hello"}', json: true },
    {
      label: "new calendar event",
      path: "/calendar/new",
      data: "title=Lunch&startDate=2026-06-16&startTime=12:00&endDate=2026-06-16&endTime=13:00&timeZone=Europe%2FBerlin&location=here&description=food&repeat=none&reminders=10",
    },
    { label: "memory: add a fact", path: "/memory", data: "intent=add-fact&key=city&value=Berlin" },
    { label: "profile", path: "/settings/profile", data: "name=Ada&timeZone=Europe%2FBerlin" },
    { label: "search conversations", path: "/chat?q=hello" },
    { label: "search memory", path: "/memory?q=city" },
    { label: "calendar month", path: "/calendar?view=month&date=2026-06-15" },
    { label: "event page", path: `/calendar/events/${eventId}?occurrence=2026-06-15T09:00` },
    { label: "conversation page", path: `/chat/${c}?before=abc&through=def&panel=info` },
    { label: "conversation list API", path: "/api/v1/conversations?after=abc" },
    { label: "messages API", path: `/api/v1/conversations/${c}/messages?before=abc` },
    { label: "notifications", path: "/notifications?before=abc" },
    { label: "export", path: `/chat/${c}/export?format=md` },
    { label: "admin users", path: "/admin/users?q=example&cursor=abc" },
    { label: "admin audit", path: "/admin/audit?user=example&action=login&from=2026-01-01&to=2026-12-31&cursor=abc" },
    // Session 13: the forms and query parameters the first runs left out (the .ics import is a file upload).
    { label: "admin audit CSV", path: "/admin/audit.csv?user=example&action=login&from=2026-01-01&to=2026-12-31" },
    { label: "conversation page: message reply edit", path: `/chat/${c}?message=abc&reply=def&edit=ghi` },
    { label: "memory review", path: `/memory?review=${reviewedProposalId}` },
    { label: "calendar search and views", path: "/calendar?q=stand&view=agenda&views=month" },
    { label: "event edit page", path: `/calendar/events/${eventId}/edit?occurrence=2026-06-16T09:00&following=1` },
    { label: "telegram settings (state)", path: "/settings/telegram?state=abc" },
    {
      label: "event edit form",
      path: `/calendar/events/${eventId}/edit`,
      data: "title=Standup&startDate=2026-06-15&startTime=09:00&endDate=2026-06-15&endTime=09:30&timeZone=Europe%2FBerlin&location=here&description=daily&repeat=DAILY&reminders=10&scope=all&occurrence=2026-06-15T09:00",
    },
    {
      label: "subscribe form",
      path: "/calendar/subscriptions",
      data: "name=Holidays&url=http%3A%2F%2F127.0.0.1%3A9%2Ffeed.ics&refreshMinutes=60",
    },
    { label: "calendar feed link", path: "/calendar?index", data: "intent=feed-create" },
    {
      // The chat settings live on the assistant page (/settings/chat answers 308 there).
      label: "chat settings",
      path: "/settings/assistant",
      data: "intent=save&model=stub&systemPrompt=be+brief&temperature=0.5&topP=0.9&maxTokens=500&memoryEnabled=on",
    },
    {
      label: "notification settings",
      path: "/settings/notifications",
      data: "briefing=on&briefingTime=07:30&remindersOnTelegram=on",
    },
    {
      label: "assistant settings",
      path: "/settings/assistant",
      data: "intent=save&memoryEnabled=on&memoryAutoAccept=on",
    },
    // A wrong current password: the form is parsed and checked, the password never changes.
    {
      label: "password form",
      path: "/settings/password",
      data: "currentPassword=wrong+password&newPassword=another+long+password",
    },
    { label: "revoke a session", path: "/settings/sessions", data: "intent=revoke&sessionId=abc" },
    { label: "telegram unlink", path: "/settings/telegram", data: "intent=unlink&chatId=123" },
    // A confirmation that never matches the account's address: parsed and refused, nothing deleted.
    { label: "delete my data (refused)", path: "/settings/data", data: "confirmEmail=someone-else%40example.test" },
    {
      label: "memory: edit a fact",
      path: "/memory",
      data: `intent=edit-fact&id=${factId}&kind=personal&key=city&value=Paris`,
    },
    { label: "memory: reject a proposal", path: "/memory", data: `intent=reject&id=${proposalId}` },
    { label: "notifications read", path: "/notifications", data: `intent=read&id=${notificationId}` },
    { label: "chat edit", path: `/chat/${c}`, data: `intent=edit&messageId=${messageId}&message=hello+again` },
    { label: "chat model", path: `/chat/${c}`, data: "intent=model&model=stub%2Fsmall" },
    { label: "calendar action", path: `/chat/${c}/actions/${actionId}`, data: "intent=cancel" },
    { label: "admin user role", path: "/admin/users", data: `intent=role&userId=${otherUserId}&role=user` },
    { label: "admin user budget", path: `/admin/users/${otherUserId}`, data: "budget=1000" },
    { label: "admin job retry", path: "/admin/jobs", data: "intent=retry&jobId=abc&queue=calendar.reminders-scan" },
    {
      label: "calendar import (.ics upload)",
      path: "/calendar?index",
      data: ICS_UPLOAD,
      contentType: `multipart/form-data; boundary=${BOUNDARY}`,
    },
    { label: "new conversation (API, JSON)", path: "/api/v1/conversations", data: '{"title":"hello"}', json: true },
  ].filter((target) => !only || only.split(",").some((part) => target.label.includes(part)));

  const say = (line: string) => process.stdout.write(`${line}\n`);
  const scan = (target: Target, index: number) =>
    new Promise<{ target: Target; verdict: string; log: string }>((resolve) => {
      const args = [
        "-u",
        `${server.url}${target.path}`,
        ...(target.data ? [`--data=${target.data}`] : []),
        ...(target.signedIn === false ? [] : [`--cookie=${cookie}`]),
        // The app refuses cross-site posts: the scan posts from the instance's own origin.
        `--headers=Origin: ${server.url}${target.contentType ? `\nContent-Type: ${target.contentType}` : ""}`,
        "--level=3",
        "--risk=2",
        "--dbms=PostgreSQL",
        "--batch",
        "--drop-set-cookie",
        // A session cookie mangled by the scan is refused with 401 under /api: expected, not the end of the target.
        "--ignore-code=401",
        "--flush-session",
        "--threads=2",
        `--output-dir=${path.join(outputDir, String(index))}`,
      ];
      const child = spawn("sqlmap", args, { stdio: ["ignore", "pipe", "pipe"] });
      let log = "";
      child.stdout.on("data", (chunk: Buffer) => (log += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (log += chunk.toString()));
      child.on("close", (code) => {
        const injectable = [...log.matchAll(/Parameter: (.+?) \(/g)].map((match) => match[1]);
        const verdict =
          injectable.length > 0
            ? `INJECTABLE: ${injectable.join(", ")}`
            : /all tested parameters do not appear to be injectable/.test(log)
              ? "not injectable (all tested parameters)"
              : `no verdict (exit ${code}): ${log
                  .split("\n")
                  .filter((line) => /CRITICAL|ERROR/.test(line))
                  .slice(-2)
                  .join(" / ")}`;
        resolve({ target, verdict, log });
      });
    });

  say(`sqlmap ${parallel} at a time over ${targets.length} targets against ${server.url} (production build)`);
  const results: Array<{ target: Target; verdict: string; log: string }> = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      for (let index = next++; index < targets.length; index = next++) {
        const started = Date.now();
        const result = await scan(targets[index]!, index);
        results.push(result);
        // Each parameter's own verdict: a target may end early (e.g. a mangled cookie) after some were tested.
        const tested = [
          ...new Set(
            [...result.log.matchAll(/(\S*) ?parameter '(.+?)' (does not seem to be injectable|is vulnerable)/g)].map(
              (m) => `${m[1] ? `${m[1]} ` : ""}${m[2]}: ${m[3] === "is vulnerable" ? "VULNERABLE" : "not injectable"}`,
            ),
          ),
        ];
        say(
          `  ${result.target.label.padEnd(24)} ${result.verdict}   (${((Date.now() - started) / 1000).toFixed(0)} s; tested: ${tested.join(", ")})`,
        );
        fs.writeFileSync(path.join(outputDir, `${index}.log`), result.log);
      }
    }),
  );
  const injectable = results.filter((result) => result.verdict.startsWith("INJECTABLE"));
  const undecided = results.filter((result) => result.verdict.startsWith("no verdict"));
  say(
    `summary: ${results.length} targets, ${injectable.length} injectable, ${undecided.length} without a verdict; logs in ${outputDir}`,
  );
  if (injectable.length > 0 || undecided.length > 0) process.exitCode = 1;
} finally {
  await server.stop();
}
