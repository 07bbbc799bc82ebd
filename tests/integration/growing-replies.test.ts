/**
 * Every reply being generated in a process is written as it grows by one statement per beat: each keeps
 * its own text, a reply that has finished is never overwritten by a late beat, and Stop pressed in
 * another process (which can only say so through the row) reaches the reply it was pressed for.
 */
import { expect, it } from "vitest";
import { writeAsItGrows } from "~/chat/growing-replies.server";
import { prisma } from "~/db/db.server";
import { makeUser } from "../support/accounts";

async function streamingReplies(count: number): Promise<string[]> {
  const user = await makeUser();
  const conversation = await prisma.conversation.create({ data: { userId: user.id, title: "growing" } });
  const ids: string[] = [];
  for (let index = 0; index < count; index++) {
    const reply = await prisma.message.create({
      data: { conversationId: conversation.id, userId: user.id, role: "assistant", status: "streaming" },
    });
    ids.push(reply.id);
  }
  return ids;
}

async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting until ${what}`);
}

const contentOf = async (id: string) => (await prisma.message.findUniqueOrThrow({ where: { id } })).content;

it("writes each growing reply's own text, and tells only the stopped one that Stop was pressed elsewhere", async () => {
  const [first, second, finished] = (await streamingReplies(3)) as [string, string, string];
  const texts = new Map([
    [first, "the first reply"],
    [second, "the second"],
    [finished, "a late beat"],
  ]);
  const stopped = new Set<string>();
  const failures: unknown[] = [];
  await prisma.message.update({ where: { id: finished }, data: { status: "complete", content: "final text" } });
  const stops = [...texts.keys()].map((id) =>
    writeAsItGrows(id, {
      content: () => texts.get(id)!,
      onStopRequested: () => stopped.add(id),
      onFailed: (error) => failures.push(error),
    }),
  );
  await until(async () => (await contentOf(first)) === "the first reply", "the first reply is written");
  expect(await contentOf(second)).toBe("the second");
  expect(await contentOf(finished)).toBe("final text");

  texts.set(second, "the second, grown");
  await prisma.message.update({ where: { id: second }, data: { stopRequestedAt: new Date() } });
  await until(async () => (await contentOf(second)) === "the second, grown", "the grown text is written");
  await until(async () => stopped.has(second), "Stop reaches the second reply");
  expect([...stopped]).toEqual([second]);

  // 9-5: a reply the database refuses (a trigger stands in for any error that is not an outage) fails
  // alone: the others' writes carry on, and Stop still reaches them.
  await prisma.$executeRawUnsafe(`
    CREATE FUNCTION refuse_test_text() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.content LIKE '%refuse me%' THEN RAISE EXCEPTION 'refused by the test'; END IF;
      RETURN NEW;
    END $$`);
  await prisma.$executeRawUnsafe(
    `CREATE TRIGGER refuse_test_text BEFORE UPDATE ON "Message" FOR EACH ROW EXECUTE FUNCTION refuse_test_text()`,
  );
  try {
    texts.set(first, "the first reply, refuse me");
    texts.set(second, "the second, grown again");
    await until(async () => (await contentOf(second)) === "the second, grown again", "the others are still written");
    await until(async () => failures.length > 0, "the refused reply is told");
    expect(await contentOf(first)).toBe("the first reply");
    texts.set(second, "the second, grown once more");
    await until(async () => (await contentOf(second)) === "the second, grown once more", "the others carry on");
  } finally {
    await prisma.$executeRawUnsafe(`DROP TRIGGER refuse_test_text ON "Message"`);
    await prisma.$executeRawUnsafe(`DROP FUNCTION refuse_test_text()`);
  }
  expect(failures).toHaveLength(1);

  await Promise.all(stops.map((stop) => stop()));
  texts.set(second, "written after stop");
  await new Promise((resolve) => setTimeout(resolve, 600));
  expect(await contentOf(second)).toBe("the second, grown once more");
  expect(failures).toHaveLength(1);
});

it("Stop pressed elsewhere reaches a reply that has not grown yet (waiting for its first token)", async () => {
  const [waiting] = (await streamingReplies(1)) as [string];
  let stopped = false;
  const stop = writeAsItGrows(waiting, {
    content: () => "",
    onStopRequested: () => (stopped = true),
    onFailed: () => undefined,
  });
  try {
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(stopped).toBe(false);
    await prisma.message.update({ where: { id: waiting }, data: { stopRequestedAt: new Date() } });
    await until(async () => stopped, "Stop reaches the waiting reply");
  } finally {
    await stop();
  }
});
