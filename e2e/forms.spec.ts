/**
 * Every form an admin can reach, sent as a person would send it: with its own values, and its required
 * fields filled with a plausible example of their type. None may answer with a server error. The fuzz
 * suite sends random input; this sends VALID input, which is where the /admin/assistant save was found
 * answering 500 to everything (by a scan, not by a test).
 */
import { expect, test, type Page } from "@playwright/test";
import { untilReplyEnds } from "./support/chat";
import { promoteToAdmin, withE2eDatabase } from "./support/admin";
import { TEST_PASSWORD, signIn, signUp, untilInteractive } from "./support/session";

/** Links and forms that end the session, download a file or leave ARES are not followed or sent. */
const NOT_FOLLOWED = /^\/(logout|auth\/|api\/)|\/export|\.(ics|csv|json)$/;
/**
 * Not sent: signing out, deleting the account, and the admin forms that act on other people's accounts
 * and the shared job queue (the suite shares one database: other specs' people run at the same time).
 * Those are covered by tests/integration/admin-users.test.ts and admin-jobs.test.ts.
 */
const NOT_SENT = /^\/logout|^\/settings\/data$|^\/admin\/(users|jobs)/;
const MAX_PAGES = 60;

/** A page address with its ids (long lower-case alphanumerics, UUIDs) and query values left out. */
const shapeOf = (href: string): string => {
  const url = new URL(href, "http://ares.test");
  const path = url.pathname.replace(/\/[0-9a-f-]{36}|\/[a-z0-9]{20,}/g, "/:id");
  return `${path}?${[...url.searchParams.keys()].sort().join("&")}`;
};

type Entry = { name: string; value: string } | { name: string; file: { name: string; mimeType: string; text: string } };
type FormToSend = { action: string; intent: string; multipart: boolean; entries: Entry[] };

/**
 * The page's POST forms, as the browser would send each one after a person filled its empty required
 * fields with an example of their type (everything else keeps its value): the browser's own FormData.
 */
async function formsToSend(page: Page): Promise<FormToSend[]> {
  return page.locator("form").evaluateAll(async (forms, password) => {
    const examples: Record<string, string> = {
      email: "example@example.test",
      date: "2026-06-15",
      time: "09:00",
      "datetime-local": "2026-06-15T09:00",
      number: "1",
      url: "https://example.test/",
      password,
    };
    const found: FormToSend[] = [];
    for (const form of forms as HTMLFormElement[]) {
      if (form.method.toLowerCase() !== "post") continue;
      for (const field of Array.from(form.elements)) {
        if (field instanceof HTMLSelectElement && field.required && !field.value) {
          const option = Array.from(field.options).find((candidate) => candidate.value);
          if (option) field.value = option.value;
        } else if (field instanceof HTMLInputElement && field.type === "file" && field.required) {
          const transfer = new DataTransfer();
          transfer.items.add(
            new File(["BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"], "example.ics", { type: "text/calendar" }),
          );
          field.files = transfer.files;
        } else if ((field instanceof HTMLInputElement || field instanceof HTMLTextAreaElement) && field.required) {
          if (field instanceof HTMLInputElement && field.type === "checkbox") field.checked = true;
          else if (!field.value) {
            const type = field instanceof HTMLInputElement ? field.type : "text";
            const min = field instanceof HTMLInputElement && field.min ? field.min : undefined;
            field.value = type === "number" && min ? min : (examples[type] ?? "Example");
          }
        }
      }
      // The form's own first submit button: a button inside another form may belong to this one (`form=`), and
      // one inside this form to another (the chat page's buttons submit the message box's form).
      const submitter = [...form.elements].find(
        (element): element is HTMLButtonElement | HTMLInputElement =>
          (element instanceof HTMLButtonElement || element instanceof HTMLInputElement) && element.type === "submit",
      );
      const data = new FormData(form, submitter ?? undefined);
      const entries: Entry[] = [];
      for (const [name, value] of data.entries()) {
        entries.push(
          typeof value === "string"
            ? { name, value }
            : {
                name,
                file: {
                  name: value.name,
                  mimeType: value.type || "application/octet-stream",
                  text: await value.text(),
                },
              },
        );
      }
      const intent = data.get("intent");
      found.push({
        action: new URL(form.action).pathname + new URL(form.action).search,
        intent: typeof intent === "string" ? intent : "",
        multipart: form.enctype === "multipart/form-data",
        entries,
      });
    }
    return found;
  }, TEST_PASSWORD);
}

async function links(page: Page): Promise<string[]> {
  const origin = new URL(page.url()).origin;
  const hrefs = await page
    .locator("a[href]")
    .evaluateAll((anchors) => anchors.map((anchor) => (anchor as HTMLAnchorElement).href));
  return hrefs
    .filter((href) => href.startsWith(origin))
    .map((href) => href.slice(origin.length).split("#")[0]!)
    .filter((path) => path.startsWith("/") && !NOT_FOLLOWED.test(path.split("?")[0]!));
}

/** Sends one form as the browser does (its cookies, its Origin); the answer's status, redirects not followed. */
async function send(page: Page, form: FormToSend): Promise<number> {
  const origin = new URL(page.url()).origin;
  const options = { headers: { origin }, maxRedirects: 0, failOnStatusCode: false };
  if (form.multipart) {
    const multipart = new FormData();
    for (const entry of form.entries) {
      if ("file" in entry)
        multipart.append(entry.name, new Blob([entry.file.text], { type: entry.file.mimeType }), entry.file.name);
      else multipart.append(entry.name, entry.value);
    }
    return (await page.request.post(form.action, { ...options, multipart })).status();
  }
  const body = new URLSearchParams();
  for (const entry of form.entries) if (!("file" in entry)) body.append(entry.name, entry.value);
  const response = await page.request.post(form.action, {
    ...options,
    headers: { ...options.headers, "content-type": "application/x-www-form-urlencoded" },
    data: body.toString(),
  });
  return response.status();
}

/**
 * Signs up an admin with something of each kind to act on, visits every page reachable by links, and sends
 * each kind of form found there `copies` times at once; returns the pages, the answers and any 5xx.
 */
async function sweepForms(page: Page, baseURL: string, copies: number) {
  const email = await signUp(page);
  await promoteToAdmin(email, baseURL);
  // Something of each kind to act on: a conversation with a reply, an event, a memory fact.
  await page.goto("/chat");
  await untilInteractive(page);
  await page.getByLabel("Message").fill("hello from the form sweep");
  await page.getByRole("button", { name: "Send" }).click();
  await page.waitForURL(/\/chat\/[a-z0-9]+(#latest)?$/);
  await untilReplyEnds(page);
  await expect(page.locator('.message--assistant[data-status="complete"]').last()).toBeVisible({ timeout: 15_000 });
  const origin = new URL(page.url()).origin;
  const made = [
    await page.request.post("/calendar/new", {
      headers: { origin },
      maxRedirects: 0,
      form: {
        title: "Standup",
        startDate: "2026-06-15",
        startTime: "09:00",
        endDate: "2026-06-15",
        endTime: "09:30",
        timeZone: "Europe/Berlin",
        repeat: "WEEKLY",
      },
    }),
    await page.request.post("/memory", {
      headers: { origin },
      maxRedirects: 0,
      form: { intent: "add-fact", kind: "professional", key: "employer", value: "ARES" },
    }),
  ];
  expect(made.map((response) => response.status())).toEqual([302, 302]);

  const serverErrors: string[] = [];
  page.on("response", (response) => {
    if (response.status() >= 500)
      serverErrors.push(`${response.request().method()} ${response.url()} → ${response.status()}`);
  });

  // The pages: everything reachable by links from the home page, one of each shape.
  const seen = new Set<string>();
  const pages: string[] = [];
  const queue = ["/", "/calendar/new", "/admin", "/settings"];
  while (queue.length > 0 && pages.length < MAX_PAGES) {
    const next = queue.shift()!;
    const shape = shapeOf(next);
    if (seen.has(shape)) continue;
    seen.add(shape);
    const response = await page.goto(next);
    if (!response || !(response.headers()["content-type"] ?? "").includes("text/html")) continue;
    pages.push(next);
    queue.push(...(await links(page)));
  }

  // Each kind of form once (its action's shape and intent), from the page it is on.
  const sent = new Set<string>();
  const answers: string[] = [];
  for (const path of pages) {
    await page.goto(path);
    await untilInteractive(page);
    for (const form of await formsToSend(page)) {
      const key = `${shapeOf(form.action)} ${form.intent}`;
      if (sent.has(key) || NOT_SENT.test(form.action)) continue;
      sent.add(key);
      const statuses = await Promise.all(Array.from({ length: copies }, () => send(page, form)));
      answers.push(`${statuses.join(" ")} ${key} from ${path}`);
      for (const status of statuses)
        if (status >= 500) serverErrors.push(`POST ${form.action} (${form.intent}) from ${path} → ${status}`);
    }
    // A form that ends this very session (revoking it, say) would end the sweep: sign back in.
    if ((await page.request.get("/chat", { maxRedirects: 0 })).status() !== 200) await signIn(page, email);
  }
  // The self-memory entry the sweep saved on /admin/assistant would be in every prompt: take it out.
  await withE2eDatabase(baseURL, (client) => client.query(`DELETE FROM "AssistantMemory" WHERE key = 'example'`));
  return { pages, answers, serverErrors };
}

test("every form, sent with its own values and examples, answers without a server error", async ({ page, baseURL }) => {
  test.setTimeout(300_000);
  const { pages, answers, serverErrors } = await sweepForms(page, baseURL!, 1);
  // The sweep reached the app's forms, not just the home page's.
  expect(pages.length, pages.join("\n")).toBeGreaterThan(15);
  expect(answers.length, answers.join("\n")).toBeGreaterThan(20);
  expect(serverErrors).toEqual([]);
});

// A double click, a form sent from two tabs: saving a memory fact twice at once answered 500 on its unique
// key, and deleting one (or an event) twice at once answered 500 for the request that found it gone.
test("every form, sent four times at once, answers without a server error", async ({ page, baseURL }) => {
  test.setTimeout(300_000);
  const { answers, serverErrors } = await sweepForms(page, baseURL!, 4);
  expect(answers.length, answers.join("\n")).toBeGreaterThan(20);
  expect(serverErrors).toEqual([]);
});
