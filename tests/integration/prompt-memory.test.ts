/**
 * The prompt's memory as the send statement reads it (memoryColumn, read with promptMemory): every fact
 * and preference of mine, exactly as stored, in the prompt's order — facts by kind, most confident first,
 * then most recently changed; preferences most recently changed first — and nobody else's.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { buildPrompt } from "~/chat/prompt.server";
import { prisma } from "~/db/db.server";
import { queryRows } from "~/db/sql.server";
import { Prisma, type FactKind } from "~/generated/prisma/client";
import { memoryColumn, promptMemory, type StoredPromptMemory } from "~/memory/prompt-memory.server";

const me = "prompt-memory-me";
const other = "prompt-memory-other";
const day = (n: number) => new Date(Date.UTC(2026, 10, n));

// Values a person may well have typed: quotes, a backslash, new lines, a tab, markup, emoji and accents.
const FACTS: Array<{ kind: FactKind; key: string; value: string; confidence: number; updatedAt: Date }> = [
  { kind: "professional", key: "employer", value: 'Acme "Rockets" \\ Ltd', confidence: 0.9, updatedAt: day(3) },
  { kind: "identity", key: "name", value: "Zoë 🚀 O'Brien", confidence: 1, updatedAt: day(1) },
  { kind: "personal", key: "pet", value: "a cat\nnamed <b>Tab</b>\there", confidence: 0.5, updatedAt: day(2) },
  { kind: "professional", key: "role", value: "engineer", confidence: 0.9, updatedAt: day(5) },
  { kind: "identity", key: "city", value: "Kraków", confidence: 0.6, updatedAt: day(4) },
  { kind: "professional", key: "team", value: "platform", confidence: 0.95, updatedAt: day(1) },
  { kind: "context", key: "project", value: "[[not a marker]] {json: 1}", confidence: 0.7, updatedAt: day(6) },
];
const PREFERENCES = [
  { key: "tone", value: "brief", updatedAt: day(2) },
  { key: "units", value: 'metric, "always"', updatedAt: day(5) },
  { key: "language", value: "English\r\nthen German", updatedAt: day(1) },
];

async function myMemory() {
  const [row] = await queryRows<{ memory: StoredPromptMemory | null }>(
    Prisma.sql`SELECT ${memoryColumn(me, `${me}-now`, Prisma.sql`${"anything"}::text`)}`,
  );
  return promptMemory(row!.memory)!;
}

beforeAll(async () => {
  for (const userId of [me, other]) {
    await prisma.user.create({ data: { id: userId, email: `${userId}@example.test` } });
    await prisma.conversation.create({ data: { id: `${userId}-now`, userId } });
    await prisma.memoryFact.createMany({
      data: FACTS.map((fact, i) => ({ ...fact, id: `${userId}-f${i}`, userId, value: `${fact.value} (${userId})` })),
    });
    await prisma.memoryPreference.createMany({
      data: PREFERENCES.map((preference, i) => ({
        ...preference,
        id: `${userId}-p${i}`,
        userId,
        value: `${preference.value} (${userId})`,
      })),
    });
  }
});

describe("the prompt's memory", () => {
  it("carries every fact and preference of mine exactly as stored, in the prompt's order, and no one else's", async () => {
    const memory = await myMemory();
    const kinds: FactKind[] = ["identity", "professional", "personal", "context"]; // the enum's order
    const expectedFacts = FACTS.map((fact, i) => ({ ...fact, id: `${me}-f${i}`, value: `${fact.value} (${me})` }))
      .sort(
        (a, b) =>
          kinds.indexOf(a.kind) - kinds.indexOf(b.kind) ||
          b.confidence - a.confidence ||
          b.updatedAt.getTime() - a.updatedAt.getTime(),
      )
      .map(({ id, kind, key, value }) => ({ id, kind, key, value }));
    expect(memory.facts).toEqual(expectedFacts);
    expect(memory.preferences).toEqual(
      PREFERENCES.map((preference, i) => ({ ...preference, id: `${me}-p${i}`, value: `${preference.value} (${me})` }))
        .sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime())
        .map(({ id, key, value }) => ({ id, key, value })),
    );
  });

  it("puts them into the prompt's sections word for word, and lists each as a memory the reply used", async () => {
    const memory = await myMemory();
    const prompt = buildPrompt({
      systemPrompt: null,
      memory,
      history: [],
      newMessage: "hello",
      contextWindow: 100_000,
      replyTokens: 0,
      countTokens: (text) => text.length,
    });
    const section = (name: string) => prompt.sections.find((candidate) => candidate.name === name)!.text;
    expect(section("identity")).toBe(
      [
        "## Your identity and preferences",
        `- name: Zoë 🚀 O'Brien (${me})`,
        `- city: Kraków (${me})`,
        `- prefers units: metric, "always" (${me})`,
        `- prefers tone: brief (${me})`,
        `- prefers language: English\r\nthen German (${me})`,
      ].join("\n"),
    );
    expect(section("facts")).toBe(
      [
        "## Your facts",
        `- professional · team: platform (${me})`,
        `- professional · role: engineer (${me})`,
        `- professional · employer: Acme "Rockets" \\ Ltd (${me})`,
        `- personal · pet: a cat\nnamed <b>Tab</b>\there (${me})`,
        `- context · project: [[not a marker]] {json: 1} (${me})`,
      ].join("\n"),
    );
    // What the reply's "memories used" disclosure lists: each memory's type and label, in the prompt's order.
    const fact = (i: number) => ({
      type: "fact",
      id: `${me}-f${i}`,
      label: `${FACTS[i]!.key}: ${FACTS[i]!.value} (${me})`,
    });
    const preference = (i: number) => ({
      type: "preference",
      id: `${me}-p${i}`,
      label: `${PREFERENCES[i]!.key}: ${PREFERENCES[i]!.value} (${me})`,
    });
    expect(prompt.memories).toEqual([
      fact(1),
      fact(4),
      preference(1),
      preference(0),
      preference(2),
      fact(5),
      fact(3),
      fact(0),
      fact(2),
      fact(6),
    ]);
  });

  it("with memory on and nothing remembered, carries empty lists", async () => {
    const empty = "prompt-memory-empty";
    await prisma.user.create({ data: { id: empty, email: `${empty}@example.test` } });
    await prisma.conversation.create({ data: { id: `${empty}-now`, userId: empty } });
    const [row] = await queryRows<{ memory: StoredPromptMemory | null }>(
      Prisma.sql`SELECT ${memoryColumn(empty, `${empty}-now`, Prisma.sql`${"anything"}::text`)}`,
    );
    const memory = promptMemory(row!.memory)!;
    expect(memory.enabled).toBe(true);
    expect(memory.facts).toEqual([]);
    expect(memory.preferences).toEqual([]);
  });

  it("with memory off for me, carries none of it", async () => {
    await prisma.chatSettings.create({ data: { userId: me, memoryEnabled: false } });
    try {
      const memory = await myMemory();
      expect(memory.enabled).toBe(false);
      expect(memory.facts).toEqual([]);
      expect(memory.preferences).toEqual([]);
    } finally {
      await prisma.chatSettings.delete({ where: { userId: me } });
    }
  });
});
