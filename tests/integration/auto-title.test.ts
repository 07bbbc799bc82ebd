import { describe, expect, it } from "vitest";
import { autoTitle, createConversation } from "~/chat/conversations.server";
import { prisma } from "~/db/db.server";
import { makeUser } from "../support/accounts";

async function titleFor(firstMessage: string): Promise<string> {
  const user = await makeUser();
  const { id } = await createConversation(user.id);
  await autoTitle(id, firstMessage);
  return (await prisma.conversation.findUniqueOrThrow({ where: { id } })).title;
}

describe("auto-title from the first message", () => {
  it("keeps a short message whole, without Markdown symbols and without a spurious ellipsis", async () => {
    expect(await titleFor("Hello\n\nworld")).toBe("Hello world");
    expect(await titleFor("How do I use `ls -la`?")).toBe("How do I use ls -la?");
  });

  it("keeps what the person wrote: symbols, brackets, underscores and tags are not Markdown to drop", async () => {
    expect(await titleFor("Is a > b when f(x) = [1] and my_var_name is set?")).toBe(
      "Is a > b when f(x) = [1] and my_var_name is set?",
    );
    expect(await titleFor("Hello `<b>bold</b>` **md**")).toBe("Hello <b>bold</b> md");
    expect(await titleFor("## Trip plan\n> quoted\n- first item")).toBe("Trip plan quoted first item");
    expect(await titleFor("```ts\nconst a = 1;\n```")).toBe("const a = 1;");
  });

  it("cuts a long message at a word, at most 60 characters, and says so", async () => {
    const title = await titleFor(
      "Please plan a three week trip through Japan in spring with a focus on gardens and food",
    );
    expect(title).toBe("Please plan a three week trip through Japan in spring with a…");
    expect(title.length).toBeLessThanOrEqual(61);
  });

  it("cuts one very long word rather than leaving the conversation untitled", async () => {
    const link = `https://example.com/${"a".repeat(100)}`;
    expect(await titleFor(link)).toBe(`${link.slice(0, 60)}…`);
  });

  it("never replaces a title the person chose", async () => {
    const user = await makeUser();
    const { id } = await createConversation(user.id, { title: "Mine" });
    await autoTitle(id, "something else entirely");
    expect((await prisma.conversation.findUniqueOrThrow({ where: { id } })).title).toBe("Mine");
  });
});
