/**
 * A form posted without JS while PostgreSQL is down: the outage answer (503) is made before the page's
 * action runs, so it must give back what was typed — the message box's text in a box of its own and
 * the form's other fields — with a "Send again" that works once PostgreSQL is back. A password is
 * never written into that page.
 */
import http from "node:http";
import { Parser } from "htmlparser2";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startStubLlm, type StubLlm } from "../../e2e/stand-ins/llm-server";
import { startPrivatePostgres, type PrivatePostgres } from "../support/private-services";
import { ensureBuild, startServer, type ServerProcess } from "../support/server-process";
import { newSender, sleep } from "./support";

let postgres: PrivatePostgres;
let server: ServerProcess;
let llm: StubLlm;

beforeAll(async () => {
  await ensureBuild();
  postgres = await startPrivatePostgres();
  llm = await startStubLlm({ name: "openrouter", behaviour: { tokenDelayMs: 2 } });
  server = await startServer({
    NODE_ENV: "production",
    HOST: "127.0.0.1",
    SESSION_SECRET: "fault-test-session-secret-0123456789abcdef",
    INTERNAL_API_KEY: "fault-test-internal-key-0123456789abcdef",
    DATABASE_URL: postgres.url,
    OPENROUTER_API_KEY: "test-key",
    OPENROUTER_BASE_URL: `${llm.url}/v1`,
    OPENROUTER_MODEL: "stub/small",
    LLM_PRIMARY_PROVIDER: "openrouter",
    CHAT_MESSAGES_PER_MINUTE: "0",
  });
}, 180_000);

afterAll(async () => {
  await server?.stop();
  await llm?.close();
  await postgres?.destroy();
});

/** `visible`: the fields shown to read and change (a textarea, or an input that is not hidden). */
type PageForm = { action: string; fields: Array<[string, string]>; textareas: Set<string>; visible: Set<string> };

/** The page's forms as a browser reads them: action, and every field's name and (decoded) value. */
function formsOf(html: string): PageForm[] {
  const forms: PageForm[] = [];
  let textarea: string | undefined;
  const parser = new Parser({
    onopentag(name, attributes) {
      if (name === "form")
        forms.push({ action: attributes.action ?? "", fields: [], textareas: new Set(), visible: new Set() });
      const form = forms.at(-1);
      if (!form || attributes.name === undefined) return;
      if (name === "input") {
        form.fields.push([attributes.name, attributes.value ?? ""]);
        if (attributes.type !== "hidden") form.visible.add(attributes.name);
      }
      if (name === "textarea") {
        textarea = attributes.name;
        form.fields.push([textarea, ""]);
        form.textareas.add(textarea);
        form.visible.add(textarea);
      }
    },
    ontext(text) {
      const form = forms.at(-1);
      if (!form || textarea === undefined) return;
      form.fields[form.fields.length - 1] = [textarea, form.fields.at(-1)![1] + text];
    },
    onclosetag(name) {
      if (name === "textarea") textarea = undefined;
    },
  });
  parser.write(html);
  parser.end();
  // A textarea's first newline belongs to the markup, as browsers read it.
  for (const form of forms) form.fields = form.fields.map(([name, value]) => [name, value.replace(/^\n/, "")]);
  return forms;
}

/**
 * Posts a form of `bytes` and waits until the whole body is handed to the connection (`uploaded`) and
 * the answer has been read: a client that reads only after sending everything waits as long.
 */
function postWhole(path: string, cookie: string, bytes: number): Promise<{ uploaded: boolean; status: number }> {
  return new Promise((resolve, reject) => {
    const request = http.request(new URL(path, server.url), {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "content-length": String(bytes),
        cookie,
        origin: server.url,
      },
    });
    const uploaded = new Promise<boolean>((done) => request.once("finish", () => done(true)));
    const timer = setTimeout(() => {
      request.destroy();
      reject(new Error("the upload or its answer did not finish in 15 s"));
    }, 15_000);
    request.once("response", (response) => {
      response.resume();
      response.once("end", () => {
        void uploaded.then((done) => {
          clearTimeout(timer);
          resolve({ uploaded: done, status: response.statusCode ?? 0 });
        });
      });
    });
    request.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    request.end(`intent=send&message=${"a".repeat(bytes - "intent=send&message=".length)}`);
  });
}

it(
  "gives back a message typed during the outage, and sends it again once PostgreSQL is back",
  { timeout: 120_000 },
  async () => {
    const { client, conversationId } = await newSender(server.url);
    // Opening with a newline: HTML drops the first one after <textarea>, which must not be the text's own.
    const typed = '\nLine one of a long thought </textarea><script>alert("x")</script> & more\nline two "quoted"';

    let resend: PageForm | undefined;
    await postgres.stop();
    try {
      const sent = await client.post(`/chat/${conversationId}`, { intent: "send", message: typed });
      expect(sent.status).toBe(503);
      expect(sent.headers.get("retry-after")).toMatch(/^\d+$/);
      const html = await sent.text();
      expect(html).toMatch(/temporarily unavailable/i);
      expect(html).not.toContain("<script>alert");
      resend = formsOf(html).find((form) => form.textareas.has("message"));
      expect(resend?.action).toBe(`/chat/${conversationId}`);
      expect(resend?.fields).toEqual([
        ["intent", "send"],
        ["message", typed],
      ]);

      // A memory entry: its key and value are shown, labelled, to read and copy (not hidden fields), and
      // sent again as they were with the form's other fields.
      const memoryValue = 'Oolong, brewed <b>"strong"</b>';
      const memory = await client.post("/memory", { intent: "add-fact", key: "favourite tea", value: memoryValue });
      expect(memory.status).toBe(503);
      const memoryPage = await memory.text();
      const memoryForm = formsOf(memoryPage).find((form) => form.action === "/memory");
      expect(memoryForm?.fields).toEqual([
        ["intent", "add-fact"],
        ["key", "favourite tea"],
        ["value", memoryValue],
      ]);
      expect([...memoryForm!.visible]).toEqual(["key", "value"]);
      expect(memoryPage).toMatch(/<label for="[^"]+">Key<\/label>/);
      expect(memoryPage).toMatch(/<label for="[^"]+">Value<\/label>/);

      // Nothing typed (a deletion): no "not saved yet … Send again", only "Try again".
      const deletion = await client.post("/memory", { intent: "delete-fact", id: "some-fact" });
      expect(deletion.status).toBe(503);
      const deletionPage = await deletion.text();
      expect(formsOf(deletionPage)).toEqual([]);
      expect(deletionPage).not.toContain("has not been saved");
      expect(deletionPage).toContain("Try again");

      // A body over the limit: the 503 reaches a client that sends the whole body before it reads (as
      // browsers do). Reading stopped at the limit and the rest was left unread: the connection was reset.
      const tooLarge = await postWhole(`/chat/${conversationId}`, client.jar.header(), 7.5 * 1024 * 1024);
      expect(tooLarge).toEqual({ uploaded: true, status: 503 });

      // The password form: the outage page never shows a password back.
      const password = await client.post("/settings/password", {
        currentPassword: "correct horse battery staple",
        newPassword: "a whole new secret phrase",
      });
      expect(password.status).toBe(503);
      const passwordPage = await password.text();
      expect(passwordPage).not.toContain("correct horse");
      expect(passwordPage).not.toContain("whole new secret");
      expect(formsOf(passwordPage)).toEqual([]);
    } finally {
      await postgres.start();
    }

    // Back: "Send again" (the form as the page has it) stores the message once.
    let ready = 0;
    // Up to 30 s: a loaded machine's PostgreSQL can take a while to accept connections again.
    for (let attempt = 0; attempt < 150 && ready !== 200; attempt++) {
      if (attempt > 0) await sleep(200);
      ready = (await fetch(`${server.url}/api/v1/health/ready`)).status;
    }
    expect(ready).toBe(200);
    const again = await client.post(resend!.action, Object.fromEntries(resend!.fields));
    expect(again.status).toBe(302);
    const db = new pg.Client({ connectionString: postgres.url });
    await db.connect();
    try {
      const { rows } = await db.query<{ count: number }>(
        `SELECT count(*)::int AS count FROM "Message" WHERE role = 'user' AND content = $1`,
        // Stored as every message is, trimmed.
        [typed.trim()],
      );
      expect(rows[0]!.count).toBe(1);
    } finally {
      await db.end();
    }
    expect(server.stderr()).toBe("");
  },
);
