/**
 * Chat end to end over HTTP against the built server and two stand-in providers: streaming, reload
 * mid-stream, fallback, failures, stop, history trimming, isolation between people, quotas, XSS.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { REPLY_HTML_VERSION, renderReply } from "~/chat/reply-html.server";
import { prisma } from "~/db/db.server";
import {
  lastMessageId,
  newChatEmail,
  readEvents,
  signedInClient,
  startChatHarness,
  type ChatHarness,
} from "../support/chat-harness";
import { browserClient } from "../support/cookie-jar";

// Shared, as every process of one installation shares it: a second process (9-3) reads the same cookie.
const SESSION_SECRET = "chat-test-secret-shared-by-processes-0123456789";

let harness: ChatHarness;
beforeAll(async () => {
  harness = await startChatHarness({ SESSION_SECRET });
}, 180_000);
afterAll(() => harness?.stop());
beforeEach(() => {
  harness.openrouter.reset();
  harness.ollama.reset();
});

type Client = Awaited<ReturnType<typeof signedInClient>>;

/** Starts a conversation with `message`; returns its path and the pending reply's id. */
async function start(client: Client, message: string) {
  const response = await client.post("/chat?index", { message });
  expect(response.status).toBe(302);
  // The conversation opens at its newest message: /chat/<id>#latest.
  const location = response.headers.get("location")!;
  expect(location).toMatch(/#latest$/);
  const path = location.replace(/#latest$/, "");
  const page = await (await client.get(path)).text();
  return { path, replyId: lastMessageId(page) };
}

async function follow(client: Client, path: string, replyId: string, stopAfter?: number) {
  const response = await client.get(`${path}/stream?message=${replyId}`);
  expect(response.headers.get("content-type")).toContain("text/event-stream");
  return readEvents(response, stopAfter);
}

/** A conversation started over HTTP, then `count` more messages (alternating user/assistant) after it. */
async function longConversation(client: Client, count: number, contentOf: (index: number) => string) {
  const { path, replyId } = await start(client, "the start of a long talk");
  await settled(replyId);
  const conversation = await prisma.conversation.findUniqueOrThrow({ where: { id: path.split("/").at(-1) } });
  const base = Date.now();
  await prisma.message.createMany({
    data: Array.from({ length: count }, (_, index) => ({
      conversationId: conversation.id,
      userId: conversation.userId,
      role: index % 2 === 0 ? ("user" as const) : ("assistant" as const),
      content: contentOf(index),
      createdAt: new Date(base + 1000 + index),
    })),
  });
  return { path };
}

async function settled(replyId: string) {
  for (let attempt = 0; attempt < 100; attempt++) {
    const message = await prisma.message.findUniqueOrThrow({ where: { id: replyId } });
    if (message.status !== "streaming") return message;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("reply never settled");
}

describe("chat", () => {
  it("streams a reply token by token, then shows it rendered with the provider badge", async () => {
    const client = await signedInClient(harness.server.url);
    // 36 words 150 ms apart (5.4 s). The reply starts while the message is committed, so it is as far
    // along when the page loads as the commit was slow: its first words may be in the snapshot, and a
    // short reply could be over before it is followed at all (a 16-word one once was, under load).
    const message =
      "Hello there, ARES. Tell me, one word at a time, about the sea, the hills, the rain on the roofs and the long road home.";
    const { path, replyId } = await start(client, `[[stub:delay=150]] ${message}`);
    const events = await follow(client, path, replyId);
    const [snapshot, ...after] = events;
    // Followed while it was written: the text so far, then the rest of it as it arrives, piece by piece.
    expect(snapshot).toMatchObject({ event: "snapshot", data: { status: "streaming" } });
    const tokens = after.filter((event) => event.event === "token").map((event) => String(event.data.text));
    expect(tokens.length).toBeGreaterThan(3);
    expect(events.at(-1)).toEqual({ event: "done", data: { status: "complete" } });
    expect(String(snapshot!.data.content) + tokens.join("")).toBe(
      `You said: "${message}". This is a deterministic reply from the stub model.`,
    );
    const page = await (await client.get(path)).text();
    expect(page).toContain("This is a deterministic reply from the stub model.");
    expect(page).toMatch(/data-testid="provider-badge"[^>]*>OpenRouter<!-- --> · <!-- -->stub\/small/);
    const conversation = await prisma.conversation.findFirstOrThrow({ where: { id: path.split("/").at(-1) } });
    expect(conversation.title).toContain("Hello there, ARES");
    // Rendered once, when it finished, in the statement that stored it: no page view renders it again.
    const stored = await settled(replyId);
    expect(stored.html).toBe(renderReply(stored.content));
    expect(stored.htmlVersion).toBe(REPLY_HTML_VERSION);
  });

  it("a reader who reloads mid-stream gets the text so far and keeps following", async () => {
    const client = await signedInClient(harness.server.url);
    const { path, replyId } = await start(client, "[[stub:delay=40]] tell me a slow story");
    const firstTab = await follow(client, path, replyId, 6);
    expect(firstTab.length).toBe(6);
    const reloaded = await follow(client, path, replyId);
    const snapshot = reloaded[0]!;
    expect(snapshot.event).toBe("snapshot");
    expect(String(snapshot.data.content).length).toBeGreaterThan(0);
    const whole =
      String(snapshot.data.content) +
      reloaded
        .filter((e) => e.event === "token")
        .map((e) => e.data.text)
        .join("");
    expect(whole).toBe('You said: "tell me a slow story". This is a deterministic reply from the stub model.');
    expect((await settled(replyId)).content).toBe(whole);
  });

  it("falls back to the other provider when the preferred one fails, and says so", async () => {
    const client = await signedInClient(harness.server.url);
    const { path, replyId } = await start(client, "[[stub:fail=500,only=openrouter]] are you there?");
    const reply = await settled(replyId);
    expect(reply).toMatchObject({ status: "complete", provider: "ollama", fallbackFrom: "openrouter" });
    const page = await (await client.get(path)).text();
    expect(page).toContain('data-testid="fallback-badge"');
  });

  it("does not fall back on a client error (4xx other than 429)", async () => {
    const client = await signedInClient(harness.server.url);
    const { replyId } = await start(client, "[[stub:fail=400,only=openrouter]] malformed?");
    const reply = await settled(replyId);
    expect(reply.role).toBe("error");
    expect(harness.ollama.requests.filter((request) => request.path.includes("chat"))).toHaveLength(0);
  });

  it("a model the providers do not list is refused with a message and changes nothing (it was stored and shown)", async () => {
    const client = await signedInClient(harness.server.url);
    const { path, replyId } = await start(client, "Which model?");
    await settled(replyId);
    const id = path.split("/").at(-1)!;
    // "garbage" is not provider:model at all: it was saved as Default without a word.
    for (const model of ["ollama:not-installed", "openrouter:gpt-5", "garbage", "evil/model"]) {
      const refused = await client.post(path, { intent: "model", model });
      expect(refused.status, model).toBe(400);
      expect(await refused.text()).toContain("That model is not offered here. Choose one from the list.");
      expect(await prisma.conversation.findUniqueOrThrow({ where: { id } })).toMatchObject({
        provider: null,
        model: null,
      });
    }
    const settings = await client.post("/settings/assistant", { intent: "save", model: "ollama:not-installed" });
    expect(settings.status).toBe(400);
    const user = await prisma.conversation.findUniqueOrThrow({ where: { id }, select: { userId: true } });
    for (const model of ["evil/model", "garbage"]) {
      const refused = await client.post("/settings/assistant", { intent: "save", model, temperature: "0.7" });
      expect(refused.status, model).toBe(400);
      const page = await refused.text();
      expect(page).toContain("That model is not offered here. Choose one from the list.");
      // What was typed stays in the form; nothing was saved.
      expect(page).toMatch(/name="temperature"[^>]*value="0.7"|value="0.7"[^>]*name="temperature"/);
      expect(await prisma.chatSettings.findUnique({ where: { userId: user.userId } })).toBeNull();
    }
    // A model the picker offers is still taken.
    expect((await client.post(path, { intent: "model", model: "ollama:stub/small" })).status).toBe(302);
    expect(await prisma.conversation.findUniqueOrThrow({ where: { id } })).toMatchObject({
      provider: "ollama",
      model: "stub/small",
    });
    // And "Default" (the empty choice) is still taken.
    expect((await client.post(path, { intent: "model", model: "" })).status).toBe(302);
    expect(await prisma.conversation.findUniqueOrThrow({ where: { id } })).toMatchObject({
      provider: null,
      model: null,
    });
  });

  it("the model already chosen is kept when a form sends it back unchanged, though its provider no longer lists it", async () => {
    const client = await signedInClient(harness.server.url);
    const { path, replyId } = await start(client, "Which model now?");
    await settled(replyId);
    const id = path.split("/").at(-1)!;
    // Chosen while it was listed (Ollama down, or the model removed since): the pickers still show it.
    await prisma.conversation.update({ where: { id }, data: { provider: "ollama", model: "retired-model" } });
    expect((await client.post(path, { intent: "model", model: "ollama:retired-model" })).status).toBe(302);
    const user = await prisma.conversation.findUniqueOrThrow({ where: { id }, select: { userId: true } });
    await prisma.chatSettings.upsert({
      where: { userId: user.userId },
      create: { userId: user.userId, provider: "ollama", model: "retired-model" },
      update: { provider: "ollama", model: "retired-model" },
    });
    // Saving the rest of Settings → Assistant sends the stored model back: not refused.
    const saved = await client.post("/settings/assistant", {
      intent: "save",
      model: "ollama:retired-model",
      temperature: "0.5",
    });
    expect(saved.status).toBe(302);
    expect(await prisma.chatSettings.findUniqueOrThrow({ where: { userId: user.userId } })).toMatchObject({
      model: "retired-model",
      temperature: 0.5,
    });
  });

  it("the Today page's message box starts a conversation (it posted to the chat layout, which takes no post)", async () => {
    const client = await signedInClient(harness.server.url);
    const today = await (await client.get("/")).text();
    const action = /<form method="post" action="([^"]+)" class="composer-form card"/
      .exec(today)?.[1]
      ?.replace(/&amp;/g, "&");
    expect(action).toBeDefined();
    const sent = await client.post(action!, { message: "Hello from Today" });
    expect(sent.status).toBe(302);
    expect(sent.headers.get("location")).toMatch(/^\/chat\/[a-z0-9]+/);
  });

  it("with every provider down, a person who does not run ARES reads what to do, an admin the providers' details", async () => {
    harness.openrouter.configure({ fail: 500 });
    harness.ollama.configure({ fail: 500 });
    // The first account is the instance's admin: one made an admin here for sure, then an ordinary person
    // (found by the emails they signed up with: other test files make accounts in this database meanwhile).
    const adminEmail = newChatEmail();
    const personEmail = newChatEmail();
    const admin = await signedInClient(harness.server.url, adminEmail);
    const person = await signedInClient(harness.server.url, personEmail);
    await prisma.user.update({ where: { email: adminEmail }, data: { role: "admin" } });
    await prisma.user.update({ where: { email: personEmail }, data: { role: "user" } });

    const ordinary = await settled((await start(person, "Anyone there?")).replyId);
    expect(ordinary.content).toBe(
      "No model provider answered. Try again in a moment; if it keeps happening, tell whoever runs this ARES.",
    );
    const forAdmin = await settled((await start(admin, "Anyone there?")).replyId);
    expect(forAdmin.content).toMatch(/^No model provider answered\. (OpenRouter|Ollama): /);
  });

  it("with every provider down, keeps the message, explains, and Retry works once one is back", async () => {
    const client = await signedInClient(harness.server.url);
    harness.openrouter.configure({ fail: 500 });
    harness.ollama.configure({ fail: 500 });
    const { path, replyId } = await start(client, "Is anybody out there?");
    const failed = await settled(replyId);
    expect(failed).toMatchObject({ role: "error", status: "error" });
    expect(failed.content).toContain("No model provider answered");
    const page = await (await client.get(path)).text();
    expect(page).toContain("Is anybody out there?");
    expect(page).toContain(">Retry</button>");

    harness.openrouter.reset();
    harness.ollama.reset();
    const retried = await client.post(path, { intent: "retry" });
    expect(retried.status).toBe(302);
    const after = await (await client.get(path)).text();
    const reply = await settled(lastMessageId(after));
    expect(reply).toMatchObject({ role: "assistant", status: "complete" });
    expect(await prisma.message.count({ where: { conversationId: reply.conversationId, role: "user" } })).toBe(1);
    expect(await prisma.message.count({ where: { conversationId: reply.conversationId, role: "error" } })).toBe(0);
  });

  it("a stream dropped mid-reply keeps the partial text and marks it", async () => {
    const client = await signedInClient(harness.server.url);
    const { replyId } = await start(client, "[[stub:fail=drop,after=3]] go on");
    const reply = await settled(replyId);
    expect(reply.status).toBe("error");
    expect(reply.content).toBe('You said: "go ');
  });

  it("Stop keeps what arrived so far", async () => {
    const client = await signedInClient(harness.server.url);
    const { path, replyId } = await start(client, "[[stub:delay=200]] take your time");
    await follow(client, path, replyId, 4);
    const stopped = await client.post(path, { intent: "stop", messageId: replyId });
    expect(stopped.status).toBe(302);
    const reply = await settled(replyId);
    expect(reply.status).toBe("aborted");
    expect(reply.content.length).toBeGreaterThan(0);
    expect(reply.content.length).toBeLessThan(
      'You said: "take your time". This is a deterministic reply from the stub model.'.length,
    );
  });

  it("sends the newest history that fits the model's context window", async () => {
    const client = await signedInClient(harness.server.url);
    // ~850 tokens each: one exchange fits beside the reply's 1,024 tokens and the calendar tools' definitions.
    const long = (label: string) => `${label} ${"lorem ipsum dolor sit amet ".repeat(140)}`;
    const { path, replyId } = await start(client, long("first"));
    await settled(replyId);
    await client.post(path, { intent: "send", message: long("second") });
    await settled(lastMessageId(await (await client.get(path)).text()));
    await client.post(path, { intent: "send", message: "third, short" });
    await settled(lastMessageId(await (await client.get(path)).text()));
    const last = harness.openrouter.requests.filter((request) => request.path === "/v1/chat/completions").at(-1)!;
    const sent = (last.body as { messages: Array<{ role: string; content: string }> }).messages;
    expect(sent[0]!.role).toBe("system");
    expect(sent.at(-1)).toEqual({ role: "user", content: "third, short" });
    // stub/small has a 4,096-token window: the first exchange no longer fits, the newest one does.
    expect(sent.some((turn) => turn.content.startsWith("first"))).toBe(false);
    expect(sent.some((turn) => turn.content.startsWith("second"))).toBe(true);
  });

  it("a message posted without an intent (a submit without the Send button) is sent", async () => {
    const client = await signedInClient(harness.server.url);
    const { path, replyId } = await start(client, "first");
    await settled(replyId);
    const sent = await client.post(path, { message: "sent by requestSubmit()" });
    expect(sent.status).toBe(302);
    expect(await (await client.get(path)).text()).toContain("sent by requestSubmit()");
  });

  it("renders hostile replies and titles inert", async () => {
    const client = await signedInClient(harness.server.url);
    const payload = `<script>alert(1)</script><img src=x onerror=alert(2)> [x](javascript:alert(3)) <a href="javascript:alert(4)">y</a>`;
    const { path, replyId } = await start(client, `[[reply:${payload}]] hi`);
    await settled(replyId);
    await client.post(path, { intent: "rename", title: `<img src=x onerror=alert(5)>` });
    const page = await (await client.get(path)).text();
    expect(page).not.toMatch(/<script>alert/);
    expect(page).not.toMatch(/<img[^>]*onerror/i);
    expect(page).not.toMatch(/<a[^>]*href="javascript:/i);
    expect(page).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(page).toContain("&lt;img src=x onerror=alert(5)&gt;");
  });

  it("another person gets 404 for my conversation, its stream, export and actions", async () => {
    const alice = await signedInClient(harness.server.url);
    const bob = await signedInClient(harness.server.url);
    const { path, replyId } = await start(alice, "private thoughts");
    await settled(replyId);
    expect((await bob.get(path)).status).toBe(404);
    expect((await bob.get(`${path}/stream?message=${replyId}`)).status).toBe(404);
    expect((await bob.get(`${path}/export?format=json`)).status).toBe(404);
    expect((await bob.get(`${path}/export?format=md&message=${replyId}`)).status).toBe(404);
    expect((await bob.post(path, { intent: "send", message: "hijack" })).status).toBe(404);
    expect((await bob.post(path, { intent: "delete" })).status).toBe(404);
    expect((await bob.post(path, { intent: "stop", messageId: replyId })).status).toBe(404);
    const id = path.split("/").at(-1)!;
    const apiList = await bob.get(`/api/v1/conversations/${id}/messages`);
    expect(apiList.status).toBe(404);
    expect(apiList.headers.get("content-type")).toContain("application/problem+json");
    expect((await bob.postJson(`/api/v1/conversations/${id}/messages`, { content: "hijack" })).status).toBe(404);
    expect((await alice.get(path)).status).toBe(200);
    expect(await prisma.message.count({ where: { content: "hijack" } })).toBe(0);
  });

  it("a send into a conversation deleted meanwhile keeps the text; another person's id gets the very same page", async () => {
    const alice = await signedInClient(harness.server.url);
    const bob = await signedInClient(harness.server.url);
    const { path, replyId } = await start(alice, "private thoughts");
    await settled(replyId);
    const mine = await start(bob, "soon gone");
    await settled(mine.replyId);
    expect((await bob.post(mine.path, { intent: "delete" })).status).toBe(302);
    /** The page with the conversation's id and the typed text taken out: nothing else may differ. */
    const answer = async (target: string) => {
      const response = await bob.post(target, { intent: "send", message: "my typed words <b>kept</b>" });
      const page = await response.text();
      expect(page).toContain("This conversation was deleted (in another tab or on another device), or never existed.");
      // The typed text, escaped, in a new-conversation form.
      expect(page).toMatch(
        /<form[^>]*action="\/chat\?index"[^>]*>[\s\S]*my typed words &lt;b&gt;kept&lt;\/b&gt;<\/textarea>/,
      );
      expect(page).not.toContain("Page not found");
      return {
        status: response.status,
        // The id, UUIDs (request ids) and the CSP nonce taken out: nothing else may differ, byte for byte.
        page: page
          .replaceAll(target.split("/").at(-1)!, "ID")
          .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "UUID")
          .replace(/nonce="[^"]*"/g, 'nonce=""'),
      };
    };
    const deleted = await answer(mine.path);
    const others = await answer(path);
    expect(deleted.status).toBe(404);
    expect(others.status).toBe(404);
    expect(others.page).toBe(deleted.page);
    expect(await prisma.message.count({ where: { content: { contains: "my typed words" } } })).toBe(0);
  });

  it("regenerates the last reply, and edits the last message and resends it", async () => {
    const client = await signedInClient(harness.server.url);
    const { path, replyId } = await start(client, "first wording");
    await settled(replyId);
    expect((await client.post(path, { intent: "regenerate" })).status).toBe(302);
    const regenerated = await settled(lastMessageId(await (await client.get(path)).text()));
    expect(regenerated.id).not.toBe(replyId);
    expect(regenerated.content).toContain('You said: "first wording"');
    expect((await client.post(path, { intent: "edit", message: "second wording" })).status).toBe(302);
    const edited = await settled(lastMessageId(await (await client.get(path)).text()));
    expect(edited.content).toContain('You said: "second wording"');
    const remaining = await prisma.message.findMany({
      where: { conversationId: edited.conversationId },
      orderBy: { createdAt: "asc" },
    });
    expect(remaining.map((message) => [message.role, message.content.slice(0, 20)])).toEqual([
      ["user", "second wording"],
      ["assistant", 'You said: "second wo'],
    ]);
  });

  it("regenerating keeps versions; the one chosen (a form post) is the history the provider gets next", async () => {
    const client = await signedInClient(harness.server.url);
    const { path, replyId } = await start(client, "[[stub:takes=1]] pick a number");
    await settled(replyId);
    const versions = [replyId];
    for (const take of [2, 3]) {
      expect((await client.post(path, { intent: "regenerate" })).headers.get("location")).toBe(`${path}#latest`);
      const reply = await settled(lastMessageId(await (await client.get(path)).text()));
      expect(reply.content).toContain(`(take ${take})`);
      versions.push(reply.id);
    }
    const page = await (await client.get(path)).text();
    expect(page).toContain("Version 3 of 3");
    expect(page).not.toContain("(take 1)");
    const chosen = await client.post(path, { intent: "version", messageId: versions[0]! });
    expect(chosen.status).toBe(302);
    expect(chosen.headers.get("location")).toBe(`${path}#latest`);
    expect(await (await client.get(path)).text()).toContain("Version 1 of 3");

    const next = await client.post(path, { intent: "send", message: "and one more" });
    await settled(lastMessageId(await (await client.get(next.headers.get("location")!.replace(/#.*/, ""))).text()));
    const request = harness.openrouter.requests.findLast((entry) =>
      JSON.stringify(entry.body).includes("and one more"),
    );
    const history = (request!.body as { messages: Array<{ role: string; content: string }> }).messages;
    expect(history.filter((turn) => turn.role === "assistant").map((turn) => turn.content)).toEqual([
      expect.stringContaining("(take 1)"),
    ]);
    // The reply is no longer the newest but still on the newest page: back to it there, not to a cut-off page.
    const older = await client.post(path, { intent: "version", messageId: versions[1]! });
    expect(older.headers.get("location")).toBe(`${path}#m-${versions[1]}`);
    expect(await (await client.get(path)).text()).toContain("and one more");
    // An edit form opened on a message that is no longer my newest: refused, and what I typed is kept.
    const stale = await client.post(path, { intent: "edit", message: "stale wording", messageId: replyId });
    expect(stale.status).toBe(409);
    const refusedPage = await stale.text();
    expect(refusedPage).toContain("Only your newest message can be edited");
    expect(refusedPage).toContain("stale wording");
    // Someone else's reply is no version of mine: refused on the page, nothing changes.
    const stranger = await signedInClient(harness.server.url);
    const { path: theirs } = await start(stranger, "mine");
    const refused = await stranger.post(theirs, { intent: "version", messageId: versions[1]! });
    expect(refused.status).toBe(409);
    expect(await refused.text()).toContain("That version of the reply is not there any more.");
    expect((await prisma.message.findUniqueOrThrow({ where: { id: versions[1]! } })).selected).toBe(true);
  });

  it("a failed Regenerate shows no version number and is no version to choose", async () => {
    const client = await signedInClient(harness.server.url);
    const { path, replyId } = await start(client, "[[stub:takes=1]] a colour");
    await settled(replyId);
    await client.post(path, { intent: "regenerate" });
    const failed = await settled(lastMessageId(await (await client.get(path)).text()));
    await prisma.message.update({
      where: { id: failed.id },
      data: { role: "error", status: "error", content: "No model provider answered." },
    });
    const page = await (await client.get(path)).text();
    expect(page).toContain("This attempt failed; 1 earlier version<");
    expect(page).not.toContain("Version 2 of 2");
    const refused = await client.post(path, { intent: "version", messageId: failed.id });
    expect(refused.status).toBe(409);
    expect(await refused.text()).toContain("That version of the reply is not there any more.");
  });

  it("creating a conversation through the API answers with that conversation, even when another is pinned", async () => {
    const client = await signedInClient(harness.server.url);
    const first = (await (await client.postJson("/api/v1/conversations", { title: "Pinned one" })).json()) as {
      id: string;
    };
    await prisma.conversation.update({ where: { id: first.id }, data: { pinned: true } });
    const response = await client.postJson("/api/v1/conversations", { title: "  Fresh\n  one " });
    expect(response.status).toBe(201);
    const created = (await response.json()) as { id: string; title: string; pinned: boolean };
    expect(created).toMatchObject({ title: "Fresh one", pinned: false });
    expect(created.id).not.toBe(first.id);
    expect(response.headers.get("location")).toBe(`/api/v1/conversations/${created.id}/messages`);
  });

  it("refuses a page cursor it never gave out with 400 invalid_cursor (it answered the first page again)", async () => {
    const client = await signedInClient(harness.server.url);
    const { id } = (await (await client.postJson("/api/v1/conversations", { title: "Paged" })).json()) as {
      id: string;
    };
    for (const path of ["/api/v1/conversations?after=garbage", `/api/v1/conversations/${id}/messages?before=garbage`]) {
      const response = await client.get(path);
      expect(response.status, path).toBe(400);
      expect(response.headers.get("content-type")).toMatch(/^application\/problem\+json/);
      expect(await response.json()).toMatchObject({ status: 400, code: "invalid_cursor" });
    }
    // Absent or empty is still the first page.
    expect((await client.get("/api/v1/conversations?after=")).status).toBe(200);
    expect((await client.get(`/api/v1/conversations/${id}/messages`)).status).toBe(200);
  });

  it("refuses a NUL character with a clear 4xx, in the API, the forms and the address", async () => {
    const client = await signedInClient(harness.server.url);
    const { path, replyId } = await start(client, "hello");
    await settled(replyId);
    const id = path.split("/").at(-1)!;

    // Finding 4: refused at the boundary by the body guard (problem+json 400), before any route runs.
    const api = await client.postJson(`/api/v1/conversations/${id}/messages`, { content: "a\u0000b" });
    expect(api.status).toBe(400);
    expect(((await api.json()) as { detail: string }).detail).toContain("NUL character");
    const rename = await client.post(path, { intent: "rename", title: "bad\u0000title" });
    expect(rename.status).toBe(400);
    expect(await rename.text()).toContain("NUL character");
    const address = await client.get(`/api/v1/conversations/${id}%00/messages`);
    expect(address.status).toBe(400);
    expect(((await address.json()) as { code: string }).code).toBe("invalid_url");
    expect((await client.get("/chat?q=%00")).status).toBe(400);
    expect(await prisma.message.count({ where: { conversationId: id } })).toBe(2);
  });

  it("offers Retry, Regenerate and Edit only on the newest page of a long conversation", async () => {
    const client = await signedInClient(harness.server.url);
    const { path } = await longConversation(client, 60, (index) => `older message ${index}`);
    const newest = await (await client.get(path)).text();
    expect(newest).toContain("Regenerate");
    expect(newest).toContain("?edit=");
    // Without JS "Show earlier messages" is a button of the message box's form, naming the page it leads to.
    const earlierLink = /name="keepTo" value="[^"]*\?before=([^"]+)"/.exec(newest)![1]!;
    const older = await (await client.get(`${path}?before=${earlierLink}`)).text();
    expect(older).toContain("older message 0");
    expect(older).not.toContain("Regenerate");
    expect(older).not.toContain("?edit=");
  });

  it("a search hit in an old message opens the page that holds it, with a way back to the newest", async () => {
    const client = await signedInClient(harness.server.url);
    const { path } = await longConversation(client, 120, (index) =>
      index === 7 ? "the platypus lays eggs" : `filler message ${index}`,
    );
    const old = await prisma.message.findFirstOrThrow({ where: { content: "the platypus lays eggs" } });
    const results = await (await client.get("/chat?q=platypus")).text();
    const href = /href="([^"]*#m-[^"]+)"/.exec(results)![1]!.replace(/&amp;/g, "&");
    expect(href.startsWith(`${path}?through=`)).toBe(true);
    expect(href).toContain(`#m-${old.id}`);
    const page = await (await client.get(href.split("#")[0]!)).text();
    expect(page).toContain(`id="m-${old.id}"`);
    expect(page).not.toContain("filler message 119");
    expect(page).toContain("Show the newest messages");
    expect(page).not.toContain("Regenerate");
  });

  it("a search with more matches than it shows says so; one with fewer does not", async () => {
    const client = await signedInClient(harness.server.url);
    await longConversation(client, 40, (index) =>
      index === 3 ? "a lone wombat in room 42" : `filler message ${index}`,
    );
    const many = await (await client.get("/chat?q=filler")).text();
    expect(many.match(/data-matched="(mine|reply)"/g)).toHaveLength(30);
    expect(many).toContain("These are the 30 newest matches; there are more. Add words to find older ones.");
    const one = await (await client.get("/chat?q=wombat")).text();
    // ts_headline leaves "in room 42" out of its fragment; the snippet shows the message to its end.
    expect(one).toContain("a lone <mark>wombat</mark> in room 42<");
    expect(one).not.toContain("newest matches");
  });

  it("titles a new conversation from its first message at once, before the reply is written", async () => {
    const client = await signedInClient(harness.server.url);
    const { path, replyId } = await start(client, "[[stub:delay=150]] plan a picnic by the river");
    const page = await (await client.get(path)).text();
    expect(page).toContain('data-status="streaming"');
    expect(page).toMatch(/<h1 id="conversation-title">\[\[stub:delay=150\]\] plan a picnic by the river<\/h1>/);
    await settled(replyId);
    // A second message does not re-title it.
    await client.post(path, { intent: "send", message: "and bring lemonade" });
    const conversation = await prisma.conversation.findUniqueOrThrow({ where: { id: path.split("/").at(-1) } });
    expect(conversation.title).toBe("[[stub:delay=150]] plan a picnic by the river");
  });

  it("labels the model picker's Default with the person's saved default model", async () => {
    const client = await signedInClient(harness.server.url);
    const { path, replyId } = await start(client, "which model?");
    await settled(replyId);
    const owner = await prisma.conversation.findUniqueOrThrow({ where: { id: path.split("/").at(-1) } });
    await prisma.chatSettings.create({ data: { userId: owner.userId, provider: "ollama", model: "stub/large" } });
    // React separates the text parts with <!-- --> comments.
    expect(await (await client.get(path)).text()).toMatch(/Default \((<!-- -->)?Ollama · stub\/large/);
  });

  it("streams a reply through the JSON API with Accept: text/event-stream", async () => {
    const client = await signedInClient(harness.server.url);
    const created = await client.postJson("/api/v1/conversations", { title: "API" });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const streamed = await client.postJson(
      `/api/v1/conversations/${id}/messages`,
      { content: "via the API" },
      { accept: "text/event-stream" },
    );
    const events = await readEvents(streamed);
    expect(events.at(-1)).toEqual({ event: "done", data: { status: "complete" } });
    // The OpenAPI document names every event the stream sent, `html` ({"html": "<p>…</p>"}) among them.
    const html = events.find((event) => event.event === "html");
    expect(html?.data.html).toMatch(/^<p>/);
    const openapi = (await (await client.get("/api/v1/openapi.json")).json()) as {
      paths: Record<string, { post: { description: string } }>;
    };
    const described = openapi.paths["/api/v1/conversations/{conversationId}/messages"]!.post.description;
    for (const name of new Set(events.map((event) => event.event))) expect(described).toContain(`\`${name}\``);
    const page = (await (await client.get(`/api/v1/conversations/${id}/messages`)).json()) as {
      messages: Array<{ role: string; content: string }>;
    };
    expect(page.messages.map((message) => message.role)).toEqual(["user", "assistant"]);
    expect(page.messages[1]!.content).toContain('You said: "via the API"');
    const invalid = await client.postJson(`/api/v1/conversations/${id}/messages`, { content: "" });
    expect(invalid.status).toBe(422);
  });

  it("chat settings: bad values are explained and kept; saved ones reach the provider; the prompt resets", async () => {
    const client = await signedInClient(harness.server.url);
    expect((await client.get("/settings/assistant")).status).toBe(200);
    const bad = await client.post("/settings/assistant", {
      intent: "save",
      systemPrompt: "Be terse.",
      temperature: "7",
    });
    expect(bad.status).toBe(400);
    const html = await bad.text();
    expect(html).toContain("Use 0 to 2.");
    expect(html).toContain("Be terse.");
    // Only a plain decimal is a number: "0x10" is not read as 16 (and then refused as out of range).
    for (const temperature of ["0x10", "1e0", "Infinity"]) {
      const notANumber = await client.post("/settings/assistant", { intent: "save", temperature });
      expect(notANumber.status, temperature).toBe(400);
      const answer = await notANumber.text();
      expect(answer, temperature).toContain("Enter a number.");
      expect(answer, temperature).not.toContain("Use 0 to 2.");
    }
    const saved = await client.post("/settings/assistant", {
      intent: "save",
      systemPrompt: "Be terse.",
      temperature: "0.3",
      maxTokens: "256",
    });
    expect(saved.headers.get("location")).toBe("/settings/assistant");
    const { replyId } = await start(client, "settings check");
    await settled(replyId);
    const sent = harness.openrouter.requests.filter((request) => request.path === "/v1/chat/completions").at(-1)!
      .body as {
      messages: Array<{ role: string; content: string }>;
      temperature: number;
      max_tokens?: number;
      max_completion_tokens?: number;
    };
    // The person's system prompt comes first; working memory (time, model, title) follows it.
    expect(sent.messages[0]).toMatchObject({
      role: "system",
      content: expect.stringMatching(/^Be terse\.\n\n## Working memory/),
    });
    expect(sent.temperature).toBe(0.3);
    expect(sent.max_tokens ?? sent.max_completion_tokens).toBe(256);
    await client.post("/settings/assistant", { intent: "reset-prompt" });
    expect(await (await client.get("/settings/assistant")).text()).toContain(
      "You are ARES, a helpful personal assistant.",
    );
  });

  it("a blank title is refused in the rename panel: its message beside the field, what was typed kept", async () => {
    const client = await signedInClient(harness.server.url);
    const { path, replyId } = await start(client, "Name me later");
    await settled(replyId);
    await client.post(path, { intent: "rename", title: "Kept title" });
    // Without JS the panel's form posts to the page's own address, ?panel=rename included.
    const refused = await client.post(`${path}?panel=rename`, { intent: "rename", title: "    " });
    expect(refused.status).toBe(400);
    const page = await refused.text();
    const input = page.match(/<input[^>]*id="rename-title"[^>]*>/)?.[0] ?? "";
    expect(input).toContain('value="    "');
    expect(input).toContain('aria-describedby="rename-title-error"');
    expect(page).toMatch(/<p class="field-error" id="rename-title-error" role="alert">Enter a title\.<\/p>/);
    const conversation = await prisma.conversation.findUniqueOrThrow({ where: { id: path.split("/").at(-1) } });
    expect(conversation.title).toBe("Kept title");
  });

  it("rename, pin, search with highlighted snippets, export and delete", async () => {
    const client = await signedInClient(harness.server.url);
    const { path, replyId } = await start(client, "Quokkas are marsupials");
    await settled(replyId);
    await client.post(path, { intent: "rename", title: "Australian fauna" });
    await client.post(path, { intent: "pin" });
    const list = await (await client.get("/chat")).text();
    expect(list).toMatch(
      /aria-label="Pinned"[^<]*<\/span><span class="conversation-title" dir="auto">Australian fauna/,
    );
    const search = await (await client.get("/chat?q=quokkas")).text();
    expect(search).toContain("<mark>Quokkas</mark>");
    // One entry for the conversation, saying what matched: my message (the stub's reply echoes it too).
    expect(search.match(/class="search-group"/g)).toHaveLength(1);
    expect(search).toMatch(/data-matched="mine"><span class="badge">My message<\/span>/);
    const markdown = await client.get(`${path}/export?format=md`);
    expect(markdown.headers.get("content-disposition")).toMatch(/^attachment; filename="?australian-fauna\.md"?$/);
    expect(await markdown.text()).toContain("Quokkas are marsupials");
    // One message's source, for its Copy button: the page carries a reply's HTML and not its Markdown.
    const source = await client.get(`${path}/export?format=md&message=${replyId}`);
    expect(source.headers.get("content-type")).toBe("text/markdown; charset=utf-8");
    expect(await source.text()).toBe(
      'You said: "Quokkas are marsupials". This is a deterministic reply from the stub model.',
    );
    // The page holds the reply once, in its markup: not again as HTML in the hydration data (ADR 010
    // phase 3), nor as Markdown. Its page data (a `.data` request, no markup to read) carries the HTML.
    const page = await (await client.get(path)).text();
    expect(page.split("deterministic reply from the stub model")).toHaveLength(2);
    const pageData = await (await client.get(`${path}.data`)).text();
    expect(pageData.split("deterministic reply from the stub model")).toHaveLength(2);
    const json = (await (await client.get(`${path}/export?format=json`)).json()) as {
      messages: Array<{ role: string; html: string | null }>;
    };
    expect(json.messages).toHaveLength(2);
    // Each reply with its HTML as the page shows it; my own message as I typed it.
    expect(json.messages.map((message) => [message.role, message.html])).toEqual([
      ["user", null],
      ["assistant", expect.stringContaining(`<p>You said: "Quokkas are marsupials".`) as unknown],
    ]);
    // A title in another script keeps its name (RFC 8187 filename*), with an ASCII name for old clients.
    await client.post(path, { intent: "rename", title: "Привет, мир / Ünïcode" });
    const named = await client.get(`${path}/export?format=json`);
    expect(named.status).toBe(200);
    expect(named.headers.get("content-disposition")).toBe(
      `attachment; filename=unicode.json; filename*=UTF-8''${encodeURIComponent("привет-мир-ünïcode.json")}`,
    );
    await client.post(path, { intent: "rename", title: "Привет" });
    expect((await client.get(`${path}/export?format=md`)).headers.get("content-disposition")).toBe(
      `attachment; filename=conversation.md; filename*=UTF-8''${encodeURIComponent("привет.md")}`,
    );
    // An unknown format is a 400 page naming the formats, not Markdown.
    const pdf = await client.get(`${path}/export?format=pdf`);
    expect(pdf.status).toBe(400);
    expect(pdf.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(pdf.headers.get("content-disposition")).toBeNull();
    const refusal = await pdf.text();
    expect(refusal).toContain("Unknown export format");
    expect(refusal).toContain("md or json");
    expect((await client.post(path, { intent: "delete" })).headers.get("location")).toBe("/chat");
    expect((await client.get(path)).status).toBe(404);
  });
});

describe("chat quotas", () => {
  let limited: ChatHarness;
  beforeAll(async () => {
    limited = await startChatHarness({ CHAT_MESSAGES_PER_MINUTE: "2" });
  }, 120_000);
  afterAll(() => limited?.stop());

  it("over the message rate: a 429 with Retry-After, and what was typed is kept", async () => {
    const client = await signedInClient(limited.server.url);
    const { path } = await start(client, "one");
    await client.post(path, { intent: "send", message: "two" });
    const refused = await client.post(path, { intent: "send", message: "three, kept for later" });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    const html = await refused.text();
    expect(html).toContain("You can send 2 messages a minute");
    expect(html).toContain("three, kept for later");
  });

  it("over the daily token budget (an admin's override for this person): a 429 until midnight UTC, as JSON for the API", async () => {
    const email = newChatEmail();
    const client = await signedInClient(limited.server.url, email);
    const person = await prisma.user.findUniqueOrThrow({ where: { email } });
    await prisma.chatSettings.create({ data: { userId: person.id, dailyTokenBudget: 40 } });
    const { replyId } = await start(client, "spend my tokens please, all forty of them and more");
    await settled(replyId);
    const created = (await (await client.postJson("/api/v1/conversations", {})).json()) as { id: string };
    const refused = await client.postJson(`/api/v1/conversations/${created.id}/messages`, { content: "more" });
    expect(refused.status).toBe(429);
    expect(refused.headers.get("content-type")).toContain("application/problem+json");
    expect(((await refused.json()) as { code: string }).code).toBe("token_budget_exhausted");
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    // Refused means nothing stored: no question left without a reply, no pending reply.
    const listed = await client.get(`/api/v1/conversations/${created.id}/messages`);
    expect(((await listed.json()) as { messages: unknown[] }).messages).toEqual([]);
  });

  it("usage today past 2^31 tokens across models: the budget refusal, not a 500; with no budget the send goes through", async () => {
    const email = newChatEmail();
    const client = await signedInClient(limited.server.url, email);
    const newest = await prisma.user.findUniqueOrThrow({ where: { email } });
    // Two models' rows of today, each within an int, together past 2^31 - 1.
    await prisma.$executeRaw`
      INSERT INTO "UsageDaily" ("userId", day, provider, model, requests, "promptTokens", "completionTokens", cost)
      VALUES (${newest.id}, (now() AT TIME ZONE 'UTC')::date, 'openrouter', 'stub/small', 1, 1000000000, 100000000, 0),
             (${newest.id}, (now() AT TIME ZONE 'UTC')::date, 'ollama', 'stub/large', 1, 1000000000, 100000000, 0)`;
    const created = (await (await client.postJson("/api/v1/conversations", {})).json()) as { id: string };
    const refused = await client.postJson(`/api/v1/conversations/${created.id}/messages`, { content: "more" });
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { code: string }).code).toBe("token_budget_exhausted");
    await prisma.chatSettings.create({ data: { userId: newest.id, dailyTokenBudget: 0 } });
    const sent = await client.postJson(`/api/v1/conversations/${created.id}/messages`, { content: "no limit now" });
    expect(sent.status).toBe(202);
  });
});

describe("finding 7: a revoked session's open streams", () => {
  it("finding 7: revoking the session ends its open reply stream within a second", async () => {
    const client = await signedInClient(harness.server.url);
    const { path, replyId } = await start(client, "[[stub:delay=150]] tell me a very long story");
    const response = await client.get(`${path}/stream?message=${replyId}`);
    const reader = response.body!.getReader();
    await reader.read();
    const conversation = await prisma.conversation.findUniqueOrThrow({ where: { id: path.split("/").at(-1) } });
    // Revoked in the database, as another process (or the sessions page) would do it.
    await prisma.session.updateMany({ where: { userId: conversation.userId }, data: { revokedAt: new Date() } });
    const revokedAt = Date.now();
    let bytesAfter = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (Date.now() - revokedAt > 1_000) bytesAfter += value.length;
      expect(Date.now() - revokedAt, "stream still open").toBeLessThan(5_000);
    }
    expect(Date.now() - revokedAt).toBeLessThan(1_500);
    expect(bytesAfter).toBe(0);
  });
});

describe("issue 9 review: replies the database could not take, or that lost their row", () => {
  it("9-1: a NUL from the model is stored as U+FFFD and the reply completes", async () => {
    harness.openrouter.configure({ reply: "hello\u0000world" });
    const client = await signedInClient(harness.server.url);
    const { path, replyId } = await start(client, "say something odd");
    const reply = await settled(replyId);
    expect(reply).toMatchObject({ role: "assistant", status: "complete", content: "hello\uFFFDworld" });
    expect(await (await client.get(path)).text()).toContain("hello\uFFFDworld");
  });

  it("9-1: when the final write is refused for any reason, the reply keeps the text written so far", async () => {
    // A trigger stands in for any refusal that is not an outage; the growing writes (still `streaming`) pass.
    await prisma.$executeRawUnsafe(`
      CREATE FUNCTION refuse_final_write() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.status = 'complete' AND NEW.content LIKE '%refuse the final write%' THEN
          RAISE EXCEPTION 'refused by the test';
        END IF;
        RETURN NEW;
      END $$`);
    await prisma.$executeRawUnsafe(
      `CREATE TRIGGER refuse_final_write BEFORE UPDATE ON "Message" FOR EACH ROW EXECUTE FUNCTION refuse_final_write()`,
    );
    try {
      const client = await signedInClient(harness.server.url);
      const { replyId } = await start(client, "[[stub:delay=20]] please refuse the final write");
      const reply = await settled(replyId);
      expect(reply).toMatchObject({
        role: "assistant",
        status: "error",
        content: 'You said: "please refuse the final write". This is a deterministic reply from the stub model.',
      });
    } finally {
      await prisma.$executeRawUnsafe(`DROP TRIGGER refuse_final_write ON "Message"`);
      await prisma.$executeRawUnsafe(`DROP FUNCTION refuse_final_write()`);
    }
  });

  it("9-3: Stop pressed in another process before the first token aborts the reply within about a second", async () => {
    const other = await startChatHarness({ SESSION_SECRET });
    try {
      const client = await signedInClient(harness.server.url);
      const { path, replyId } = await start(client, "[[stub:first=5000]] think before you answer");
      await new Promise((resolve) => setTimeout(resolve, 500));
      const elsewhere = browserClient(other.server.url, client.jar);
      expect((await elsewhere.post(path, { intent: "stop", messageId: replyId })).status).toBe(302);
      const stoppedAt = Date.now();
      const reply = await settled(replyId);
      expect(reply.status).toBe("aborted");
      expect(Date.now() - stoppedAt).toBeLessThan(1_500);
    } finally {
      await other.stop();
    }
  }, 120_000);

  it("17: a message refused at commit — after its reply was started — is answered as not sent and leaves nothing behind", async () => {
    // The reply's provider request starts before the message is durable; a deferred trigger refuses the
    // commit itself, which is exactly the moment that can now fail after the reply has started.
    await prisma.$executeRawUnsafe(`
      CREATE FUNCTION refuse_commit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.content LIKE '%refuse the commit%' THEN RAISE EXCEPTION 'refused at commit by the test'; END IF;
        RETURN NEW;
      END $$`);
    await prisma.$executeRawUnsafe(
      `CREATE CONSTRAINT TRIGGER refuse_commit AFTER INSERT ON "Message" DEFERRABLE INITIALLY DEFERRED
         FOR EACH ROW EXECUTE FUNCTION refuse_commit()`,
    );
    try {
      const client = await signedInClient(harness.server.url);
      const created = await client.postJson("/api/v1/conversations", { title: "Refused" });
      const { id } = (await created.json()) as { id: string };
      const logsBefore = harness.server.logs.length;
      const response = await client.postJson(
        `/api/v1/conversations/${id}/messages`,
        { content: "please refuse the commit" },
        { accept: "text/event-stream" },
      );
      expect(response.status).toBe(500);
      const lines = () => harness.server.logs.slice(logsBefore).map((entry) => entry.msg);
      for (let attempt = 0; attempt < 100 && !lines().includes("reply dropped: its message was not stored"); attempt++)
        await new Promise((resolve) => setTimeout(resolve, 50));
      expect(lines()).toContain("reply dropped: its message was not stored");
      expect(lines()).not.toContain("generation failed unexpectedly");
      expect(await prisma.message.count({ where: { conversationId: id } })).toBe(0);
      expect(await prisma.conversation.findUniqueOrThrow({ where: { id } })).toMatchObject({ title: "Refused" });
    } finally {
      await prisma.$executeRawUnsafe(`DROP TRIGGER refuse_commit ON "Message"`);
      await prisma.$executeRawUnsafe(`DROP FUNCTION refuse_commit()`);
    }
  });

  it("9-4: deleting a conversation while its reply is written ends the reply quietly", async () => {
    const client = await signedInClient(harness.server.url);
    const { path, replyId } = await start(client, "[[stub:delay=100]] a long answer I will not wait for");
    for (let attempt = 0; attempt < 50; attempt++) {
      const reply = await prisma.message.findUnique({ where: { id: replyId } });
      if (reply && reply.content.length > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const logsBefore = harness.server.logs.length;
    expect((await client.post(path, { intent: "delete" })).headers.get("location")).toBe("/chat");
    const ended = () =>
      harness.server.logs.slice(logsBefore).some((entry) => entry.msg === "reply deleted while written");
    for (let attempt = 0; attempt < 100 && !ended(); attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const lines = harness.server.logs.slice(logsBefore).filter((entry) => entry.messageId === replyId);
    expect(lines.map((entry) => entry.msg)).toContain("reply deleted while written");
    expect(harness.server.logs.slice(logsBefore).filter((entry) => Number(entry.level) >= 50)).toEqual([]);
    // The process carries on: the next reply is written as usual.
    const next = await start(client, "still there?");
    expect((await settled(next.replyId)).status).toBe("complete");
  });

  it("deleting my account while a reply is written ends the reply quietly: no fault logged or reported", async () => {
    // Someone else first: the first account is the instance's only admin, which cannot delete itself.
    await signedInClient(harness.server.url);
    const client = await signedInClient(harness.server.url);
    // Slow enough that the deletion lands while the reply is still being written, even on a loaded machine.
    const { replyId } = await start(client, "[[stub:delay=300]] a long answer for an account about to go");
    await expect
      .poll(async () => (await prisma.message.findUnique({ where: { id: replyId } }))?.content.length ?? 0, {
        timeout: 10_000,
      })
      .toBeGreaterThan(0);
    const { user } = await prisma.message.findUniqueOrThrow({ where: { id: replyId }, select: { user: true } });
    const logsBefore = harness.server.logs.length;
    const deleted = await client.post("/settings/data", { confirmEmail: user.email });
    expect(deleted.headers.get("location")).toBe("/");
    await expect
      .poll(() => harness.server.logs.slice(logsBefore).some((entry) => entry.msg === "reply deleted while written"), {
        timeout: 20_000,
      })
      .toBe(true);
    const lines = harness.server.logs.slice(logsBefore).filter((entry) => entry.messageId === replyId);
    expect(lines.map((entry) => entry.msg)).toContain("reply deleted while written");
    expect(harness.server.logs.slice(logsBefore).filter((entry) => Number(entry.level) >= 50)).toEqual([]);
    expect(await prisma.usageDaily.count({ where: { userId: user.id } })).toBe(0);
  }, 60_000);
});
