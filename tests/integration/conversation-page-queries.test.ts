/**
 * The whole conversation page request (GET /chat/<id>: session middleware, root, chat layout and the
 * page's loaders, rendering) counted statement by statement: the compiled app runs in this process, so
 * the counter sees every statement its pool sends (issue #17: ≤ 3 at any conversation size).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { conversationPageSql, pageMessageKeys } from "~/chat/conversation-page.server";
import { prisma } from "~/db/db.server";
import { queryRows } from "~/db/sql.server";
import { signedInClient } from "../support/chat-harness";
import { serveBuildInThisProcess } from "../support/in-process-app";
import { countQueries } from "../support/query-counter";

let baseUrl: string;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ baseUrl, close } = await serveBuildInThisProcess());
}, 300_000);
afterAll(() => close?.());

/** A conversation of `count` messages (replies with stored prompts, a regenerated one, a calendar card). */
async function conversationWith(email: string, count: number): Promise<string> {
  const user = await prisma.user.findUniqueOrThrow({ where: { email }, select: { id: true } });
  const conversation = await prisma.conversation.create({ data: { userId: user.id, title: `${count} messages` } });
  const base = Date.now() - count * 1000;
  await prisma.message.createMany({
    data: Array.from({ length: count }, (_, index) => ({
      id: `${conversation.id}-m${index}`,
      conversationId: conversation.id,
      userId: user.id,
      role: index % 2 === 0 ? ("user" as const) : ("assistant" as const),
      content: index % 2 === 0 ? `question ${index}` : `**answer** ${index}`,
      createdAt: new Date(base + index * 1000),
    })),
  });
  const newest = `${conversation.id}-m${count - 1}`;
  // The newest reply was regenerated once: two versions, the newer one shown.
  await prisma.message.create({
    data: {
      id: `${conversation.id}-old`,
      conversationId: conversation.id,
      userId: user.id,
      role: "assistant",
      content: "an earlier version",
      createdAt: new Date(base + (count - 1) * 1000 - 1),
      versionGroupId: `${conversation.id}-old`,
      selected: false,
    },
  });
  await prisma.message.update({ where: { id: newest }, data: { versionGroupId: `${conversation.id}-old` } });
  await prisma.replyPrompt.createMany({
    data: Array.from({ length: count / 2 }, (_, index) => ({
      messageId: `${conversation.id}-m${index * 2 + 1}`,
      userId: user.id,
      sections: [],
      memories: [{ type: "fact", id: "f1", label: "Likes tea" }],
    })),
  });
  await prisma.calendarAction.create({
    data: {
      userId: user.id,
      messageId: newest,
      kind: "create",
      input: {},
      preview: { title: "Dentist", before: null, after: ["Tomorrow 10:00"], affects: null },
    },
  });
  return conversation.id;
}

describe("the conversation page request", () => {
  it("costs the same ≤ 3 statements at 50 and 500 messages, none of them a write", async () => {
    const client = await signedInClient(baseUrl);
    const email = (await prisma.user.findFirstOrThrow({ orderBy: { createdAt: "desc" }, select: { email: true } }))
      .email;
    const counts: number[] = [];
    for (const size of [50, 500]) {
      const id = await conversationWith(email, size);
      // Warm: the first view of a reply without stored HTML stores it in the background.
      expect((await client.get(`/chat/${id}`)).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const { result: html, statements } = await countQueries(async () => {
        const response = await client.get(`/chat/${id}`);
        expect(response.status).toBe(200);
        return response.text();
      });
      // The page really shows the thread: the newest reply, its version pager, memories and card.
      expect(html).toContain(`<strong>answer</strong> ${size - 1}`);
      expect(html).toContain("Version 2 of 2");
      expect(html).toContain("Likes tea");
      expect(html).toContain("Dentist");
      expect(statements.filter((text) => /^\s*(insert|update|delete|begin)/i.test(text))).toEqual([]);
      // The counter sees the app's pool: the session lookup is among them.
      expect(statements.filter((text) => text.includes('FROM "Session" s JOIN "User" u'))).toHaveLength(1);
      counts.push(statements.length);
    }
    expect(counts[1]).toBe(counts[0]);

    // Each message object of the statement's JSON carries exactly the keys the page reads.
    const conversation = await prisma.conversation.findFirstOrThrow({ where: { title: "50 messages" } });
    const [row] = await queryRows<{ messages: Array<Record<string, unknown>> }>(
      conversationPageSql(conversation.userId, conversation.id, null),
    );
    // 50 in the thread (the unselected version is not): all of them, no "earlier" row.
    expect(row!.messages).toHaveLength(50);
    for (const message of row!.messages) expect(Object.keys(message)).toEqual([...pageMessageKeys]);
    expect(counts[0]).toBeLessThanOrEqual(3);
  });

  it("with kept message-box text (no JS, its marker set): the text is back, still ≤ 3 statements, none a write", async () => {
    const client = await signedInClient(baseUrl);
    const email = (await prisma.user.findFirstOrThrow({ orderBy: { createdAt: "desc" }, select: { email: true } }))
      .email;
    const id = await conversationWith(email, 50);
    expect((await client.get(`/chat/${id}`)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    // Pin pressed without JS with text in the box: kept, and the marker names this page.
    expect((await client.post(`/chat/${id}`, { intent: "pin", message: "half a thought" })).status).toBe(302);
    const { result: html, statements } = await countQueries(async () => {
      const response = await client.get(`/chat/${id}`);
      expect(response.status).toBe(200);
      return response.text();
    });
    expect(html).toMatch(/<textarea[^>]*id="composer-message"[^>]*>half a thought<\/textarea>/);
    expect(
      statements.filter((text) => /^\s*(insert|update|delete|begin|with[\s\S]*\b(insert|update|delete)\b)/i.test(text)),
    ).toEqual([]);
    expect(statements.length).toBeLessThanOrEqual(3);
    // Once: the response dropped the marker, and the next view neither shows it nor looks for it.
    const { result: again, statements: next } = await countQueries(async () =>
      (await client.get(`/chat/${id}`)).text(),
    );
    expect(again).toMatch(/<textarea[^>]*id="composer-message"[^>]*><\/textarea>/);
    expect(next.filter((text) => text.includes("KeptComposerText"))).toEqual([]);
  });

  it("carries in its hydration data only what a message has, and marks the open conversation in the list", async () => {
    const client = await signedInClient(baseUrl);
    const user = await prisma.user.findFirstOrThrow({ orderBy: { createdAt: "desc" }, select: { id: true } });
    const other = await prisma.conversation.create({ data: { userId: user.id, title: "another" } });
    // Plain messages: no memories used, no calendar cards, never regenerated.
    const open = await prisma.conversation.create({ data: { userId: user.id, title: "plain" } });
    await prisma.message.createMany({
      data: Array.from({ length: 6 }, (_, index) => ({
        conversationId: open.id,
        userId: user.id,
        role: index % 2 === 0 ? ("user" as const) : ("assistant" as const),
        content: index % 2 === 0 ? `question ${index}` : `**answer** ${index}`,
        createdAt: new Date(Date.now() - (6 - index) * 1000),
      })),
    });
    const response = await client.get(`/chat/${open.id}`);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain("<strong>answer</strong> 5");
    const hydration = [...html.matchAll(/<script[^>]*>([\s\S]*?)<\/script>/g)].map((match) => match[1]).join("\n");
    expect(hydration).toContain("question 4"); // my newest message's text, for Edit
    // Each key of the page data is written once per document, with or without values: none of these.
    for (const key of ["memories", "actions", "versions", "versionGroupId"])
      expect(hydration).not.toContain(`\\"${key}\\"`);

    const links = [...html.matchAll(/<a [^>]*href="\/chat\/([^"#]+)#latest"[^>]*>/g)];
    const linkTo = (id: string) => links.find((match) => match[1] === id)?.[0];
    expect(linkTo(open.id)).toMatch(/aria-current="page"/);
    expect(linkTo(open.id)).toMatch(/class="active"/);
    expect(linkTo(other.id)).toBeDefined();
    expect(linkTo(other.id)).not.toMatch(/aria-current|active/);
  });
});
