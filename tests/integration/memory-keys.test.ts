/**
 * Memory keys stored under an older rule (`home/city`, `mother's_name`, `bad_key_✓`) are taken to
 * today's form by the start-up backfill, so the same name is one memory, never two.
 */
import pg from "pg";
import { describe, expect, it } from "vitest";
import { prisma } from "~/db/db.server";
import { defineStartupJob, StartupJobTooNewError } from "~/jobs/startup.server";
import { normaliseMemoryKeysJob, normaliseStoredMemoryKeys } from "~/memory/key-backfill.server";
import { MEMORY_KEY_FORM_VERSION } from "~/memory/keys";
import { addFact, MemoryKeyTakenError } from "~/memory/memories.server";
import { acceptProposal, pendingProposals } from "~/memory/proposals.server";
import { saveSelfMemory } from "~/memory/self-memory.server";
import { makeUser } from "../support/accounts";
import { suggestedFact } from "../support/memory";
import { untilBlockedBy } from "../support/postgres";
import { countQueries } from "../support/query-counter";
import { ensureBuild, startServer } from "../support/server-process";

const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000);

describe("memory keys stored in an older form", () => {
  it("are renamed to today's form, and two that become one key are merged keeping the newer value", async () => {
    const user = await makeUser();
    const suffix = Math.random().toString(36).slice(2, 8);
    await prisma.memoryFact.createMany({
      data: [
        { userId: user.id, kind: "personal", key: "home/city", value: "Leeds", updatedAt: hoursAgo(5) },
        { userId: user.id, kind: "personal", key: "mother's_name", value: "Ann", updatedAt: hoursAgo(1) },
        {
          userId: user.id,
          kind: "personal",
          key: "mother_s_name",
          value: "Anne",
          history: [{ value: "Anna", replacedAt: hoursAgo(9).toISOString() }],
          updatedAt: hoursAgo(3),
        },
      ],
    });
    await prisma.memoryPreference.create({ data: { userId: user.id, key: "bad_key_✓", value: "short answers" } });
    await prisma.memoryProposal.create({ data: { userId: user.id, ...suggestedFact("home/city", "York") } });
    await prisma.assistantMemory.createMany({
      data: [
        { category: "identity", key: `name/${suffix}`, value: "Ares", updatedAt: hoursAgo(1) },
        { category: "identity", key: `name_${suffix}`, value: "ARES", updatedAt: hoursAgo(2) },
      ],
    });

    // Two processes starting at once both run it: one result, no error.
    await Promise.all([normaliseStoredMemoryKeys(), normaliseStoredMemoryKeys()]);
    expect(await normaliseStoredMemoryKeys()).toBe(0);

    const facts = await prisma.memoryFact.findMany({ where: { userId: user.id }, orderBy: { key: "asc" } });
    expect(facts.map((fact) => [fact.key, fact.value])).toEqual([
      ["home_city", "Leeds"],
      ["mother_s_name", "Ann"],
    ]);
    // The merged-away value is a correction in the kept one's history, after the older ones.
    expect((facts[1]!.history as Array<{ value: string }>).map((entry) => entry.value)).toEqual(["Anna", "Anne"]);
    // A rename is no change of the memory: when it was last updated stays.
    expect(facts[0]!.updatedAt.getTime()).toBeLessThan(hoursAgo(4).getTime());

    // The same name typed today finds the stored memory: refused as taken, not saved beside it.
    await expect(
      addFact(user.id, { kind: "personal", key: "Home City", value: "Hull" }, { replace: false }),
    ).rejects.toBeInstanceOf(MemoryKeyTakenError);
    expect(await prisma.memoryFact.count({ where: { userId: user.id } })).toBe(2);

    // The waiting proposal says which memory accepting it would replace.
    const [proposal] = await pendingProposals(user.id);
    expect(proposal!.replaces).toEqual({ key: "home_city", value: "Leeds" });

    const preferences = await prisma.memoryPreference.findMany({ where: { userId: user.id } });
    expect(preferences.map((preference) => preference.key)).toEqual(["bad_key"]);

    // The assistant's note: one row, which a save under today's name updates.
    await saveSelfMemory({ category: "identity", key: `Name ${suffix}`, value: "Ares 2", importance: 5 });
    const notes = await prisma.assistantMemory.findMany({ where: { key: { contains: suffix } } });
    expect(notes.map((note) => [note.key, note.value])).toEqual([[`name_${suffix}`, "Ares 2"]]);
  });

  it("are taken to today's form when ARES starts", async () => {
    const user = await makeUser();
    const stored = await prisma.memoryFact.create({
      data: { userId: user.id, kind: "personal", key: "Work/Place", value: "the mill" },
    });
    await ensureBuild();
    const server = await startServer({
      DATABASE_URL: process.env.DATABASE_URL,
      NODE_ENV: "test",
      ARES_SKIP_MIGRATIONS: "true",
      SESSION_SECRET: "memory-keys-test-session-secret-0123456789",
    });
    try {
      const deadline = Date.now() + 30_000;
      let key = stored.key;
      while (key !== "work_place" && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        key = (await prisma.memoryFact.findUniqueOrThrow({ where: { id: stored.id } })).key;
      }
      expect(key).toBe("work_place");
    } finally {
      await server.stop();
    }
  }, 120_000);
});

describe("memory keys that named nothing or were too long", () => {
  it('are named "note", "note_2"… each a memory of its own, and cut at a word break, kept apart from a key the cut meets', async () => {
    const user = await makeUser();
    const long = "the name of the street where my grandmother lived when she was a child in the fifties";
    const cut = "the_name_of_the_street_where_my_grandmother_lived_when_she_was_a_child_in_the";
    await prisma.memoryFact.createMany({
      data: [
        { userId: user.id, kind: "personal", key: "note", value: "a note typed as such", updatedAt: hoursAgo(9) },
        { userId: user.id, kind: "personal", key: "\u200e", value: "bidi mark alone", updatedAt: hoursAgo(8) },
        { userId: user.id, kind: "personal", key: "", value: "empty", updatedAt: hoursAgo(7) },
        { userId: user.id, kind: "personal", key: long, value: "Mill Lane", updatedAt: hoursAgo(1) },
        { userId: user.id, kind: "personal", key: cut, value: "Mill Road", updatedAt: hoursAgo(2) },
      ],
    });
    await prisma.memoryPreference.create({ data: { userId: user.id, key: "\u200d\u200c", value: "tea" } });
    const proposal = (key: string, value: string) => ({ userId: user.id, ...suggestedFact(key, value) });
    await prisma.memoryProposal.createMany({
      data: [proposal("\u200e\u200f", "replaces nothing"), proposal("Home/Town", "York")],
    });

    await Promise.all([normaliseStoredMemoryKeys(), normaliseStoredMemoryKeys()]);
    expect(await normaliseStoredMemoryKeys()).toBe(0);

    const facts = await prisma.memoryFact.findMany({ where: { userId: user.id }, orderBy: { key: "asc" } });
    expect(facts.map((fact) => fact.key)).toEqual(["note", "note_2", "note_3", cut, `${cut}_2`]);
    // Which unnamed one is read first follows the ids: each keeps its own value.
    expect(facts[0]!.value).toBe("a note typed as such");
    expect([facts[1]!.value, facts[2]!.value].sort()).toEqual(["bidi mark alone", "empty"]);
    // The long key is not the one its cut meets: both are kept, the cut one numbered.
    expect(facts[3]!.value).toBe("Mill Road");
    expect(facts[4]!.value).toBe("Mill Lane");
    expect(facts[4]!.history).toEqual([]);
    const preferences = await prisma.memoryPreference.findMany({ where: { userId: user.id } });
    expect(preferences.map((preference) => [preference.key, preference.value])).toEqual([["note", "tea"]]);
    // A waiting proposal whose key names nothing is dropped: as plain "note" its accept would have
    // replaced the person's own note ("a note typed as such").
    const proposals = await prisma.memoryProposal.findMany({ where: { userId: user.id } });
    expect(proposals.map((row) => [row.key, row.value])).toEqual([["home_town", "York"]]);
  });
});

describe("a key that was not cut, meeting a long key's cut", () => {
  it("keeps its own name and its value, whichever is read first: the long one is numbered", async () => {
    const user = await makeUser();
    const start = "the name of the street where my grandmother lived when she was a child in the";
    const cut = start.replaceAll(" ", "_");
    // Ids chosen so the scan (by id) reads the long key first in one kind and last in the other.
    const id = Math.random().toString(36).slice(2, 10);
    await prisma.memoryFact.createMany({
      data: [
        { id: `${id}a`, userId: user.id, kind: "personal", key: `${start} fifties`, value: "Mill Lane" },
        { id: `${id}b`, userId: user.id, kind: "personal", key: start.replace(" ", "/"), value: "Mill Road" },
        { id: `${id}c`, userId: user.id, kind: "context", key: start.replace(" ", "/"), value: "Elm Row" },
        { id: `${id}d`, userId: user.id, kind: "context", key: `${start} fifties`, value: "Oak Hill" },
      ],
    });

    await normaliseStoredMemoryKeys();
    expect(await normaliseStoredMemoryKeys()).toBe(0);

    const facts = await prisma.memoryFact.findMany({
      where: { userId: user.id },
      orderBy: [{ kind: "asc" }, { key: "asc" }],
    });
    expect(facts.map((fact) => [fact.kind, fact.key, fact.value, fact.history])).toEqual([
      ["personal", cut, "Mill Road", []],
      ["personal", `${cut}_2`, "Mill Lane", []],
      ["context", cut, "Elm Row", []],
      ["context", `${cut}_2`, "Oak Hill", []],
    ]);
  });
});

describe("two long keys of the same whole form", () => {
  it("are one memory, merged as short twins are, keeping the newer value: not <cut>_2 and <cut>_3", async () => {
    const user = await makeUser();
    const start = "the name of the street where my grandmother lived when she was a child in the";
    const cut = start.replaceAll(" ", "_");
    await prisma.memoryFact.createMany({
      data: [
        { userId: user.id, kind: "personal", key: start.replace(" ", "/"), value: "Mill Road" },
        { userId: user.id, kind: "personal", key: `${start} fifties`, value: "Mill Lane", updatedAt: hoursAgo(2) },
        {
          userId: user.id,
          kind: "personal",
          key: `${start.replace(" ", "/")} fifties`,
          value: "Mill Close",
          updatedAt: hoursAgo(1),
        },
      ],
    });

    await normaliseStoredMemoryKeys();
    expect(await normaliseStoredMemoryKeys()).toBe(0);

    const facts = await prisma.memoryFact.findMany({ where: { userId: user.id }, orderBy: { key: "asc" } });
    expect(
      facts.map((fact) => [fact.key, fact.value, (fact.history as Array<{ value: string }>).map((h) => h.value)]),
    ).toEqual([
      [cut, "Mill Road", []],
      [`${cut}_2`, "Mill Close", ["Mill Lane"]],
    ]);
  });
});

describe("a waiting proposal for a long key", () => {
  it("is renamed with the memory it would change, to <cut>_2 when the cut is another memory's name", async () => {
    const user = await makeUser();
    const start = "the name of the street where my grandmother lived when she was a child in the";
    const cut = start.replaceAll(" ", "_");
    const long = `${start} fifties`;
    await prisma.memoryFact.createMany({
      data: [
        { userId: user.id, kind: "personal", key: start.replace(" ", "/"), value: "Mill Road" },
        { userId: user.id, kind: "personal", key: long, value: "Mill Lane" },
      ],
    });
    const proposal = { userId: user.id, type: "fact" as const, value: "Mill Close", confidence: 0.9, importance: 3 };
    await prisma.memoryProposal.createMany({
      data: [
        { ...proposal, kind: "personal", key: long.replaceAll(" ", "_") },
        // Another kind's memory of the same name is not the one that was numbered: it keeps the plain cut.
        { ...proposal, kind: "context", key: long },
      ],
    });

    await normaliseStoredMemoryKeys();
    expect(await normaliseStoredMemoryKeys()).toBe(0);

    const facts = await prisma.memoryFact.findMany({ where: { userId: user.id }, orderBy: { key: "asc" } });
    expect(facts.map((fact) => [fact.key, fact.value])).toEqual([
      [cut, "Mill Road"],
      [`${cut}_2`, "Mill Lane"],
    ]);
    const proposals = await prisma.memoryProposal.findMany({ where: { userId: user.id }, orderBy: { kind: "asc" } });
    expect(proposals.map((row) => [row.kind, row.key])).toEqual([
      ["personal", `${cut}_2`],
      ["context", cut],
    ]);
  });
});

describe("a waiting proposal for a long key that no memory has", () => {
  it("takes a free <cut>_2 when the cut is another memory's name, as a memory would: accepting it replaces nothing", async () => {
    const user = await makeUser();
    const start = "the name of the street where my grandmother lived when she was a child in the";
    const cut = start.replaceAll(" ", "_");
    const long = `${start} fifties`;
    // The cut is this memory's own whole name: a different memory from the one the long key names.
    await prisma.memoryFact.create({
      data: { userId: user.id, kind: "personal", key: start.replace(" ", "/"), value: "Mill Road" },
    });
    await prisma.memoryPreference.create({ data: { userId: user.id, key: cut, value: "Mill Road too" } });
    await prisma.memoryProposal.createMany({
      data: [
        { userId: user.id, ...suggestedFact(long, "Mill Close") },
        { userId: user.id, type: "preference", key: long, value: "Mill Close too", confidence: 0.9, importance: 3 },
        // Another kind has no memory of that name: the plain cut is free there.
        { userId: user.id, ...suggestedFact(long, "Oak Hill"), kind: "context" },
      ],
    });

    await normaliseStoredMemoryKeys();
    expect(await normaliseStoredMemoryKeys()).toBe(0);

    const proposals = await pendingProposals(user.id);
    expect(new Set(proposals.map((p) => JSON.stringify([p.type, p.kind, p.key, p.replaces])))).toEqual(
      new Set([
        JSON.stringify(["fact", "personal", `${cut}_2`, null]),
        JSON.stringify(["preference", null, `${cut}_2`, null]),
        JSON.stringify(["fact", "context", cut, null]),
      ]),
    );
    // Accepting it is a memory of its own: the grandmother's street is still Mill Road, with no history.
    await acceptProposal(user.id, proposals.find((p) => p.kind === "personal")!.id);
    const facts = await prisma.memoryFact.findMany({ where: { userId: user.id }, orderBy: { key: "asc" } });
    expect(facts.map((fact) => [fact.key, fact.value, fact.history])).toEqual([
      [cut, "Mill Road", []],
      [`${cut}_2`, "Mill Close", []],
    ]);
  });
});

describe("the long keys of a person with many memories", () => {
  it("are renamed without reading all of that person's memories again for each long key", async () => {
    const user = await makeUser();
    const start = "the name of the street where my grandmother lived when she was a child in the";
    const cut = start.replaceAll(" ", "_");
    await prisma.memoryFact.createMany({
      data: Array.from({ length: 200 }, (_, n) => ({
        userId: user.id,
        kind: "personal" as const,
        key: `fact_${n}`,
        value: "x",
      })),
    });
    const endings = ["fifties", "sixties", "seventies", "eighties", "nineties"];
    await prisma.memoryFact.createMany({
      data: [
        ...endings.map((ending) => ({
          userId: user.id,
          kind: "personal" as const,
          key: `${start} ${ending}`,
          value: ending,
        })),
        // Twins of the first: still one memory.
        {
          userId: user.id,
          kind: "personal" as const,
          key: `${start.replace(" ", "/")} fifties`,
          value: "fifties again",
          updatedAt: hoursAgo(1),
        },
      ],
    });

    const { statements } = await countQueries(() => normaliseStoredMemoryKeys());
    expect(await normaliseStoredMemoryKeys()).toBe(0);

    // A read of a person's memories of a kind, not of named ones (by id or key): the whole scope.
    const factReads = statements.filter((sql) => sql.includes('FROM "public"."MemoryFact"'));
    const scopeReads = factReads.filter(
      (sql) => sql.includes('"userId" =') && !sql.includes('"key" =') && !/"id" (=|IN)/.test(sql),
    );
    // The backfill's reads were captured (an empty capture would pass the next line whatever it read):
    // the cut rows read once, by id.
    expect(factReads.some((sql) => /"id" IN/.test(sql))).toBe(true);
    expect(scopeReads).toEqual([]);
    const longOnes = await prisma.memoryFact.findMany({
      where: { userId: user.id, key: { startsWith: cut } },
      orderBy: { key: "asc" },
    });
    expect(longOnes.map((fact) => fact.key)).toEqual([cut, ...[2, 3, 4, 5].map((n) => `${cut}_${n}`)]);
    expect(longOnes.map((fact) => fact.value).sort()).toEqual([
      "eighties",
      "fifties",
      "nineties",
      "seventies",
      "sixties",
    ]);
  });
});

describe("a key changed by another process between the scan and its rename", () => {
  it("is renamed in the phase its key now belongs to: a key that became long does not take a name before its twin", async () => {
    const user = await makeUser();
    const start = "the name of the street where my grandmother lived when she was a child in the";
    const cut = start.replaceAll(" ", "_");
    const id = Math.random().toString(36).slice(2, 10);
    await prisma.memoryFact.createMany({
      data: [
        { id: `${id}0`, userId: user.id, kind: "personal", key: "street/now", value: "Elm Row" },
        { id: `${id}a`, userId: user.id, kind: "personal", key: "street/then", value: "Mill Lane" },
        { id: `${id}b`, userId: user.id, kind: "personal", key: start.replace(" ", "/"), value: "Mill Road" },
      ],
    });
    // An older process renames the first to a long key after the scan read it as a short one: while the
    // row before it (read in the same page) is being renamed.
    await prisma.$executeRawUnsafe(`
      CREATE FUNCTION rename_behind_the_scan() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.id = '${id}0' AND OLD.key <> NEW.key THEN
          UPDATE "MemoryFact" SET key = '${start} fifties' WHERE id = '${id}a';
        END IF;
        RETURN NEW;
      END $$`);
    await prisma.$executeRawUnsafe(
      `CREATE TRIGGER rename_behind_the_scan AFTER UPDATE ON "MemoryFact" FOR EACH ROW EXECUTE FUNCTION rename_behind_the_scan()`,
    );
    try {
      await normaliseStoredMemoryKeys();
    } finally {
      await prisma.$executeRawUnsafe(`DROP TRIGGER rename_behind_the_scan ON "MemoryFact"`);
      await prisma.$executeRawUnsafe(`DROP FUNCTION rename_behind_the_scan()`);
    }
    expect(await normaliseStoredMemoryKeys()).toBe(0);

    const facts = await prisma.memoryFact.findMany({ where: { userId: user.id }, orderBy: { key: "asc" } });
    expect(facts.map((fact) => [fact.key, fact.value, fact.history])).toEqual([
      ["street_now", "Elm Row", []],
      [cut, "Mill Road", []],
      [`${cut}_2`, "Mill Lane", []],
    ]);
  });
});

describe("a memory renamed by another request while the backfill merges into it", () => {
  it("keeps its new name: the merge is tried again, not written over the rename", async () => {
    const user = await makeUser();
    const kept = await prisma.memoryFact.create({
      data: { userId: user.id, kind: "personal", key: "mother_s_name", value: "Ann", updatedAt: hoursAgo(1) },
    });
    await prisma.memoryFact.create({
      data: { userId: user.id, kind: "personal", key: "mother's_name", value: "Anne", updatedAt: hoursAgo(3) },
    });
    const other = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await other.connect();
    try {
      // The person renames the memory the old key would merge into, after the backfill read it.
      await other.query("BEGIN");
      await other.query(`SELECT id FROM "MemoryFact" WHERE id = $1 FOR UPDATE`, [kept.id]);
      const backfill = normaliseStoredMemoryKeys();
      await untilBlockedBy(other);
      await other.query(`UPDATE "MemoryFact" SET key = 'mum' WHERE id = $1`, [kept.id]);
      await other.query("COMMIT");
      await backfill;
    } finally {
      await other.end();
    }
    expect(await normaliseStoredMemoryKeys()).toBe(0);

    const facts = await prisma.memoryFact.findMany({ where: { userId: user.id }, orderBy: { key: "asc" } });
    // Two memories: the renamed one as the person left it, and the old key's under its stored form.
    expect(facts.map((fact) => [fact.key, fact.value, fact.history])).toEqual([
      ["mother_s_name", "Anne", []],
      ["mum", "Ann", []],
    ]);
  });
});

describe("a merge that deadlocks with another request", () => {
  it("is tried again, not the backfill failed: the two rows become one", async () => {
    const user = await makeUser();
    const kept = await prisma.memoryFact.create({
      data: { userId: user.id, kind: "personal", key: "mother_s_name", value: "Ann", updatedAt: hoursAgo(1) },
    });
    const merged = await prisma.memoryFact.create({
      data: { userId: user.id, kind: "personal", key: "mother's_name", value: "Anne", updatedAt: hoursAgo(3) },
    });
    const other = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await other.connect();
    try {
      // Another request holds the kept row, so the merge waits there holding the old one it has deleted;
      // then that request waits for the old one: a deadlock, which PostgreSQL ends by failing the merge.
      await other.query("BEGIN");
      await other.query(`SELECT id FROM "MemoryFact" WHERE id = $1 FOR UPDATE`, [kept.id]);
      const backfill = normaliseStoredMemoryKeys();
      backfill.catch(() => {});
      await untilBlockedBy(other);
      await other.query(`SELECT id FROM "MemoryFact" WHERE id = $1 FOR UPDATE`, [merged.id]);
      await other.query("COMMIT");
      await backfill;
    } finally {
      await other.end();
    }
    expect(await normaliseStoredMemoryKeys()).toBe(0);

    const facts = await prisma.memoryFact.findMany({ where: { userId: user.id } });
    expect(facts.map((fact) => [fact.key, fact.value])).toEqual([["mother_s_name", "Ann"]]);
    expect((facts[0]!.history as Array<{ value: string }>).map((entry) => entry.value)).toEqual(["Anne"]);
  });
});

describe("long keys that begin alike", () => {
  it("are two memories after the cut, numbered within 80 characters, not one with a value lost", async () => {
    const user = await makeUser();
    const suffix = Math.random().toString(36).slice(2, 8);
    const start = "the name of the street where my grandmother lived when she was a child in the";
    // No word break in the second half: cut at 80 characters, so "_2" takes the place of two of them.
    const unbroken = `${suffix}${"x".repeat(90)}`;
    await prisma.memoryFact.createMany({
      data: [
        { userId: user.id, kind: "personal", key: `${start} fifties`, value: "Mill Lane", updatedAt: hoursAgo(1) },
        { userId: user.id, kind: "personal", key: `${start} sixties`, value: "Station Road", updatedAt: hoursAgo(2) },
        { userId: user.id, kind: "personal", key: `${start} seventies`, value: "High Street", updatedAt: hoursAgo(3) },
        { userId: user.id, kind: "personal", key: `${unbroken}a`, value: "A", updatedAt: hoursAgo(1) },
        { userId: user.id, kind: "personal", key: `${unbroken}b`, value: "B", updatedAt: hoursAgo(2) },
      ],
    });
    await prisma.assistantMemory.createMany({
      data: [
        { category: "identity", key: `${suffix} ${start} one`, value: "first", updatedAt: hoursAgo(1) },
        { category: "identity", key: `${suffix} ${start} two`, value: "second", updatedAt: hoursAgo(2) },
      ],
    });

    await normaliseStoredMemoryKeys();
    expect(await normaliseStoredMemoryKeys()).toBe(0);

    const facts = await prisma.memoryFact.findMany({ where: { userId: user.id } });
    const cut = start.replaceAll(" ", "_");
    expect(facts.map((fact) => fact.value).sort()).toEqual(["A", "B", "High Street", "Mill Lane", "Station Road"]);
    expect(
      facts
        .filter((fact) => fact.key.startsWith("the_"))
        .map((fact) => fact.key)
        .sort(),
    ).toEqual([cut, `${cut}_2`, `${cut}_3`]);
    expect(facts.every((fact) => fact.key.length <= 80 && (fact.history as unknown[]).length === 0)).toBe(true);
    expect(
      facts
        .filter((fact) => fact.key.startsWith(suffix))
        .map((fact) => fact.key)
        .sort(),
    ).toEqual([`${unbroken.slice(0, 78)}_2`, unbroken.slice(0, 80)].sort());
    const notes = await prisma.assistantMemory.findMany({ where: { key: { startsWith: suffix } } });
    expect(notes.map((note) => note.value).sort()).toEqual(["first", "second"]);
  });
});

describe("the start-up backfill", () => {
  const context = () => ({ id: "test", attempt: 1, signal: new AbortController().signal });
  const keyOf = async (id: string) => (await prisma.memoryFact.findUniqueOrThrow({ where: { id } })).key;

  it("reads the keys once per form of keys: later starts skip it, a new form runs it again", async () => {
    const done = { name: normaliseMemoryKeysJob.job.name, version: MEMORY_KEY_FORM_VERSION };
    await prisma.startupJobDone.deleteMany({ where: done });
    const user = await makeUser();
    const first = await prisma.memoryFact.create({
      data: { userId: user.id, kind: "personal", key: "First/Key", value: "1" },
    });
    try {
      // Two processes starting at once: both may run it, one record, no error.
      await Promise.all([
        normaliseMemoryKeysJob.job.handler(normaliseMemoryKeysJob.startPayload, context()),
        normaliseMemoryKeysJob.job.handler(normaliseMemoryKeysJob.startPayload, context()),
      ]);
      expect(await keyOf(first.id)).toBe("first_key");
      expect(await prisma.startupJobDone.count({ where: done })).toBe(1);

      // Written in an older form after the run (only a hand edit of the database can): the next start skips the scan.
      const later = await prisma.memoryFact.create({
        data: { userId: user.id, kind: "personal", key: "Later/Key", value: "2" },
      });
      await normaliseMemoryKeysJob.job.handler(normaliseMemoryKeysJob.startPayload, context());
      expect(await keyOf(later.id)).toBe("Later/Key");
    } finally {
      await prisma.startupJobDone.deleteMany({ where: done });
    }
  });

  it("reads every page to the end when the last row of a page was merged away, and records the form only then", async () => {
    const done = { name: normaliseMemoryKeysJob.job.name, version: MEMORY_KEY_FORM_VERSION };
    await prisma.startupJobDone.deleteMany({ where: done });
    const user = await makeUser();
    const run = Math.random().toString(36).slice(2, 8);
    const n = 700;
    const id = (prefix: string, i: number) => `${prefix}-${run}-${String(i).padStart(4, "0")}`;
    // Facts: the holders of today's keys come first by id and are newer, so each old row, read later,
    // is the one merged away, the last row of a page among them. Preferences: the other way round.
    await prisma.memoryFact.createMany({
      data: Array.from({ length: n }, (_, i) => ({
        id: id("a-new", i),
        userId: user.id,
        kind: "personal" as const,
        key: `k_${i}`,
        value: `new ${i}`,
      })),
    });
    await prisma.memoryFact.createMany({
      data: Array.from({ length: n }, (_, i) => ({
        id: id("zz-old", i),
        userId: user.id,
        kind: "personal" as const,
        key: `k/${i}`,
        value: `old ${i}`,
        updatedAt: hoursAgo(10),
      })),
    });
    try {
      // One pass reads them all.
      expect(await normaliseStoredMemoryKeys()).toBeGreaterThanOrEqual(n);
      const facts = await prisma.memoryFact.findMany({
        where: { userId: user.id },
        select: { key: true, value: true },
      });
      expect(facts.filter((fact) => fact.key.includes("/"))).toEqual([]);
      expect(facts).toHaveLength(n);
      expect(facts.every((fact) => fact.value.startsWith("new "))).toBe(true);

      await prisma.memoryPreference.createMany({
        data: Array.from({ length: 600 }, (_, i) => ({
          id: id(i % 2 ? "a-old" : "zz-old", i),
          userId: user.id,
          key: `p/${i}`,
          value: `old-form ${i}`,
        })),
      });
      await prisma.memoryPreference.createMany({
        data: Array.from({ length: 600 }, (_, i) => ({
          id: id(i % 2 ? "zz-held" : "a-held", i),
          userId: user.id,
          key: `p_${i}`,
          value: `held ${i}`,
          updatedAt: hoursAgo(10),
        })),
      });
      await normaliseMemoryKeysJob.job.handler(normaliseMemoryKeysJob.startPayload, context());
      const preferences = await prisma.memoryPreference.findMany({ where: { userId: user.id } });
      expect(preferences.filter((preference) => preference.key.includes("/"))).toEqual([]);
      expect(preferences.map((preference) => preference.value).sort()).toEqual(
        Array.from({ length: 600 }, (_, i) => `old-form ${i}`).sort(),
      );
      expect(await prisma.startupJobDone.count({ where: done })).toBe(1);
    } finally {
      await prisma.startupJobDone.deleteMany({ where: done });
    }
  }, 120_000);

  it("runs a start-up job again when its version is raised", async () => {
    const name = `test.startup-${Math.random().toString(36).slice(2, 8)}`;
    let runs = 0;
    const run = async () => {
      runs++;
    };
    const start = async (version: number) => {
      const { job, startPayload } = defineStartupJob({ name, version, timeoutSeconds: 10, run });
      await job.handler(startPayload, context());
    };
    await start(1);
    await start(1);
    expect(runs).toBe(1);
    await start(2);
    expect(runs).toBe(2);
    // A run that fails records nothing: the next start tries again.
    const failing = defineStartupJob({
      name,
      version: 3,
      timeoutSeconds: 10,
      run: () => Promise.reject(new Error("down")),
    });
    await expect(failing.job.handler(failing.startPayload, context())).rejects.toThrow("down");
    expect(await prisma.startupJobDone.count({ where: { name, version: 3 } })).toBe(0);
  });

  it("in a rolling deploy: a job of a newer version fails on an older process (to be retried), an older one is ignored", async () => {
    const name = `test.startup-${Math.random().toString(36).slice(2, 8)}`;
    const runs: number[] = [];
    const process = (version: number) =>
      defineStartupJob({
        name,
        version,
        timeoutSeconds: 10,
        run: async () => {
          runs.push(version);
        },
      });
    const [older, newer] = [process(1), process(2)];
    // Each version is its own queued job: a new process's send is not swallowed by an old one's.
    expect(newer.job.singletonKey!(newer.startPayload)).not.toBe(older.job.singletonKey!(older.startPayload));
    // What each start sends carries its version through the payload's schema (sendJob parses it).
    expect(newer.job.payload.parse(newer.startPayload)).toEqual({ version: 2 });

    // The new process's job taken by an old one: it fails (pg-boss retries it), doing nothing, recording nothing.
    await expect(older.job.handler(newer.startPayload, context())).rejects.toBeInstanceOf(StartupJobTooNewError);
    expect(runs).toEqual([]);
    expect(await prisma.startupJobDone.count({ where: { name } })).toBe(0);

    // The old process's job taken by a new one: ignored; the new one runs its own.
    await newer.job.handler(older.startPayload, context());
    expect(runs).toEqual([]);
    expect(await prisma.startupJobDone.count({ where: { name } })).toBe(0);
    await newer.job.handler(newer.startPayload, context());
    expect(runs).toEqual([2]);
    expect(await prisma.startupJobDone.findMany({ where: { name }, select: { version: true } })).toEqual([
      { version: 2 },
    ]);
    // A retry of the new job reaching the old process after the new one did the work still does nothing old.
    await expect(older.job.handler(newer.startPayload, context())).rejects.toBeInstanceOf(StartupJobTooNewError);
    expect(runs).toEqual([2]);
  });
});
