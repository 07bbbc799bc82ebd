/**
 * At shutdown the replies this process is still writing are stored as `aborted`, and their readers in
 * this process are told so — but only for a reply the settle really stopped: one that finished in the
 * same instant stays `complete`, and its readers must not be told it was aborted.
 */
import { expect, it } from "vitest";
import { settleLocalReplies } from "~/chat/reply-maintenance.server";
import { subscribe, trackGeneration, type StreamEvent } from "~/chat/stream-bus.server";
import { prisma } from "~/db/db.server";
import { makeUser } from "../support/accounts";

it("tells readers 'aborted' only for the replies the shutdown settle stopped, not for one already stored complete", async () => {
  const user = await makeUser();
  const conversation = await prisma.conversation.create({ data: { userId: user.id, title: "stopping" } });
  const reply = (status: "streaming" | "complete", content: string) =>
    prisma.message.create({
      data: { conversationId: conversation.id, userId: user.id, role: "assistant", status, content },
    });
  const unfinished = await reply("streaming", "half an ans");
  // Its generation has just stored it complete; the settle still finds it among this process's generations.
  const finished = await reply("complete", "a whole answer");

  const events = new Map<string, StreamEvent[]>();
  const stops: Array<() => void> = [];
  let release = () => {};
  const generationsDone = new Promise<void>((resolve) => {
    release = resolve;
  });
  for (const { id } of [unfinished, finished]) {
    events.set(id, []);
    stops.push(subscribe(id, (event) => events.get(id)?.push(event)));
    trackGeneration(id, new AbortController(), generationsDone);
  }
  try {
    expect(await settleLocalReplies()).toBe(1);
  } finally {
    release();
    stops.forEach((stop) => stop());
  }

  expect(events.get(unfinished.id)).toEqual([{ type: "done", status: "aborted" }]);
  expect(events.get(finished.id)).toEqual([]);
  const stored = await prisma.message.findMany({
    where: { id: { in: [unfinished.id, finished.id] } },
    select: { id: true, status: true, content: true },
  });
  expect(new Map(stored.map((row) => [row.id, [row.status, row.content]]))).toEqual(
    new Map([
      [unfinished.id, ["aborted", "half an ans"]],
      [finished.id, ["complete", "a whole answer"]],
    ]),
  );
});
