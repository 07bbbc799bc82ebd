/** Memory writes that race each other (a form sent twice, two tabs): each ends in one clear state, never a 500. */
import pg from "pg";
import { describe, expect, it } from "vitest";
import { prisma } from "~/db/db.server";
import {
  MemoryKeyTakenError,
  MemoryNotFoundError,
  deleteMemory,
  editFact,
  editPreference,
  saveFact,
} from "~/memory/memories.server";
import { acceptProposal, rejectProposal } from "~/memory/proposals.server";
import { makeUser } from "../support/accounts";
import { untilBlockedBy } from "../support/postgres";

const rejections = (outcomes: PromiseSettledResult<unknown>[]) =>
  outcomes.flatMap((outcome) => (outcome.status === "rejected" ? [outcome.reason as unknown] : []));

describe("memory writes at the same time", () => {
  it("a correction racing the delete of the same fact either lands as a fact or finds it gone", async () => {
    for (let round = 0; round < 10; round++) {
      const user = await makeUser();
      const id = await saveFact(user.id, { kind: "personal", key: "city", value: "Leeds" });
      const outcomes = await Promise.allSettled([
        saveFact(user.id, { kind: "personal", key: "city", value: "York" }),
        deleteMemory(user.id, "fact", id),
      ]);
      for (const reason of rejections(outcomes)) expect(reason).toBeInstanceOf(MemoryNotFoundError);
      expect(outcomes[0]!.status).toBe("fulfilled");
      const facts = await prisma.memoryFact.findMany({ where: { userId: user.id } });
      // Saved after the delete (a new fact) or before it (then deleted with it): never half of each.
      expect(facts.map((fact) => fact.value).filter((value) => value !== "York")).toEqual([]);
    }
  });

  it("a correction read before two others (A→B→A) keeps both of theirs in the history", async () => {
    const user = await makeUser();
    const id = await saveFact(user.id, { kind: "personal", key: "city", value: "Leeds" });
    const other = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await other.connect();
    try {
      // Another request's two corrections, Leeds → York → Leeds, land while this one's read is in hand.
      await other.query("BEGIN");
      await other.query(`SELECT id FROM "MemoryFact" WHERE id = $1 FOR UPDATE`, [id]);
      const correction = saveFact(user.id, { kind: "personal", key: "city", value: "Hull" });
      await untilBlockedBy(other);
      for (const [from, to] of [
        ["Leeds", "York"],
        ["York", "Leeds"],
      ])
        await other.query(
          `UPDATE "MemoryFact" SET value = $2, history = history || jsonb_build_array(jsonb_build_object('value', $3::text, 'confidence', 1, 'replacedAt', now())) WHERE id = $1`,
          [id, to, from],
        );
      await other.query("COMMIT");
      expect(await correction).toBe(id);
    } finally {
      await other.end();
    }
    const fact = await prisma.memoryFact.findUniqueOrThrow({ where: { id } });
    expect(fact.value).toBe("Hull");
    expect((fact.history as Array<{ value: string }>).map((entry) => entry.value)).toEqual(["Leeds", "York", "Leeds"]);
  });

  it("editing a fact onto a key that is being deleted is not refused as missing", async () => {
    for (let round = 0; round < 10; round++) {
      const user = await makeUser();
      const edited = await saveFact(user.id, { kind: "personal", key: "pet", value: "cat" });
      const doomed = await saveFact(user.id, { kind: "personal", key: "animal", value: "dog" });
      const outcomes = await Promise.allSettled([
        editFact(user.id, edited, { kind: "personal", key: "animal", value: "cat" }, { replace: true }),
        deleteMemory(user.id, "fact", doomed),
      ]);
      // The edited fact exists, so its edit never answers "not found" (it did, when the key it joined went).
      expect(outcomes[0]!.status).toBe("fulfilled");
      const facts = await prisma.memoryFact.findMany({ where: { userId: user.id } });
      // Either the delete came first (the edit stands) or the edit joined the fact the delete then took.
      expect([[["animal", "cat"]], []]).toContainEqual(facts.map((fact) => [fact.key, fact.value]));
    }
  });

  it("editing a memory stored under an older key form while another request saves that key is refused as taken, not a 500", async () => {
    const user = await makeUser();
    const fact = await prisma.memoryFact.create({
      data: { userId: user.id, kind: "personal", key: "home/city", value: "Leeds" },
    });
    const preference = await prisma.memoryPreference.create({
      data: { userId: user.id, key: "reply/style", value: "short" },
    });
    for (const { edit, insert } of [
      {
        edit: () =>
          editFact(user.id, fact.id, { kind: "personal", key: "Home City", value: "Hull" }, { replace: false }),
        insert: `INSERT INTO "MemoryFact" (id, "userId", kind, key, value, "updatedAt")
                 VALUES ('race-fact-' || $1, $1, 'personal', 'home_city', 'York', now())`,
      },
      {
        edit: () => editPreference(user.id, preference.id, { key: "Reply style", value: "long" }, { replace: false }),
        insert: `INSERT INTO "MemoryPreference" (id, "userId", key, value, "updatedAt")
                 VALUES ('race-preference-' || $1, $1, 'reply_style', 'terse', now())`,
      },
    ]) {
      const other = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await other.connect();
      try {
        // Another request saves today's form of the key after this edit looked for it and before its rename.
        await other.query("BEGIN");
        await other.query(insert, [user.id]);
        const editing = edit();
        await untilBlockedBy(other);
        await other.query("COMMIT");
        await expect(editing).rejects.toBeInstanceOf(MemoryKeyTakenError);
      } finally {
        await other.end();
      }
    }
    expect((await prisma.memoryFact.findUniqueOrThrow({ where: { id: fact.id } })).value).toBe("Leeds");
    expect((await prisma.memoryPreference.findUniqueOrThrow({ where: { id: preference.id } })).value).toBe("short");
  });

  it("a proposal accepted and rejected at once is decided once", async () => {
    for (let round = 0; round < 10; round++) {
      const user = await makeUser();
      const proposal = await prisma.memoryProposal.create({
        data: {
          userId: user.id,
          type: "fact",
          kind: "personal",
          key: "car",
          value: "a red bike",
          confidence: 0.9,
          importance: 3,
        },
      });
      const outcomes = await Promise.allSettled([
        acceptProposal(user.id, proposal.id),
        rejectProposal(user.id, proposal.id),
      ]);
      expect(rejections(outcomes)).toHaveLength(1);
      for (const reason of rejections(outcomes)) expect(reason).toBeInstanceOf(MemoryNotFoundError);
      const decided = await prisma.memoryProposal.findUniqueOrThrow({ where: { id: proposal.id } });
      const facts = await prisma.memoryFact.count({ where: { userId: user.id } });
      // Accepted: a fact. Rejected: none.
      expect(facts).toBe(decided.status === "accepted" ? 1 : 0);
    }
  });
});
