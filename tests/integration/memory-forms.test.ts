/**
 * The memory page as a browser without JavaScript uses it: a refused entry comes back with what was typed
 * still in its fields; the page is one main landmark, like every other.
 */
import { describe, expect, it } from "vitest";
import { prisma } from "~/db/db.server";
import { fileProposals } from "~/memory/proposals.server";
import { serverForThisFile, signedUp, type Client } from "../support/app-server";
import { NEVER_AUTO_ACCEPT, SUGGESTED, suggestedFact } from "../support/memory";

const server = serverForThisFile({
  SESSION_SECRET: "memory-forms-test-session-secret-0123456789",
  RATE_LIMIT_READ_PER_MINUTE: "0",
  RATE_LIMIT_WRITE_PER_MINUTE: "0",
});

let counter = 0;
const newEmail = () => `memory-forms-${++counter}-${Date.now().toString(36)}@example.test`;
const person = () => signedUp(server.url, newEmail());

/** A new person signed in (their `client`) and their id, for rows made directly. */
async function personWithId(): Promise<{ client: Client; userId: string }> {
  const email = newEmail();
  const client = await signedUp(server.url, email);
  const { id: userId } = await prisma.user.findUniqueOrThrow({ where: { email } });
  return { client, userId };
}

/** The `value` attributes of the inputs named `name` in the form that posts `intent`. */
function typedIn(page: string, intent: string, name: string): string[] {
  const form = page.split("<form").find((part) => part.includes(`name="intent" value="${intent}"`)) ?? "";
  return [...form.matchAll(new RegExp(`<input[^>]*name="${name}"[^>]*>`, "g"))].map(
    (match) => /value="([^"]*)"/.exec(match[0])?.[1] ?? "",
  );
}

describe("memory forms without JavaScript", () => {
  it("keeps what was typed in an add form when the entry is refused", async () => {
    const client = await person();
    for (const intent of ["add-fact", "add-preference"]) {
      const refused = await client.post("/memory", { intent, kind: "professional", key: "employer", value: "   " });
      expect(refused.status, intent).toBe(400);
      const page = await refused.text();
      expect(page, intent).toContain("Enter what to remember.");
      expect(typedIn(page, intent, "key"), intent).toEqual(["employer"]);
      if (intent === "add-fact") expect(page).toMatch(/<option value="professional" selected="">/);
    }
    expect(await prisma.memoryFact.count({ where: { key: "employer" } })).toBe(0);
  });

  it("keeps what was typed in an edit form when the change is refused", async () => {
    const client = await person();
    expect(
      (await client.post("/memory", { intent: "add-fact", kind: "personal", key: "pet", value: "a cat" })).status,
    ).toBe(302);
    const fact = await prisma.memoryFact.findFirstOrThrow({ where: { key: "pet" } });
    const refused = await client.post(`/memory?edit=${fact.id}`, {
      intent: "edit-fact",
      id: fact.id,
      kind: "personal",
      key: "pets",
      value: "",
    });
    expect(refused.status).toBe(400);
    expect(typedIn(await refused.text(), "edit-fact", "key")).toEqual(["pets"]);
  });

  it("adding a fact or preference with a key I already have is refused, naming it and keeping what I typed, unless I replace it", async () => {
    const client = await person();
    expect(
      (await client.post("/memory", { intent: "add-fact", kind: "professional", key: "employer", value: "Other Co" }))
        .status,
    ).toBe(302);
    const refused = await client.post("/memory", {
      intent: "add-fact",
      kind: "professional",
      key: "employer",
      value: "Initech",
    });
    expect(refused.status).toBe(409);
    const page = await refused.text();
    expect(page).toContain("You already have “employer: Other Co”. Edit that fact instead.");
    expect(typedIn(page, "add-fact", "key")).toEqual(["employer"]);
    expect(typedIn(page, "add-fact", "value")).toEqual(["Initech"]);
    expect(typedIn(page, "add-fact", "replace")).toHaveLength(1);
    const kept = await prisma.memoryFact.findFirstOrThrow({
      where: { key: "employer", value: { in: ["Other Co", "Initech"] } },
    });
    expect(kept.value).toBe("Other Co");
    // "Replace it" ticked: the value is replaced, the old one kept in the history.
    const replaced = await client.post("/memory", {
      intent: "add-fact",
      kind: "professional",
      key: "employer",
      value: "Initech",
      replace: "on",
    });
    expect(replaced.status).toBe(302);
    const fact = await prisma.memoryFact.findUniqueOrThrow({ where: { id: kept.id } });
    expect(fact.value).toBe("Initech");
    expect(fact.history).toMatchObject([{ value: "Other Co" }]);

    expect((await client.post("/memory", { intent: "add-preference", key: "tone", value: "brief" })).status).toBe(302);
    const preference = await client.post("/memory", { intent: "add-preference", key: "tone", value: "chatty" });
    expect(preference.status).toBe(409);
    const preferencePage = await preference.text();
    expect(preferencePage).toContain("You already have “tone: brief”. Edit that preference instead.");
    expect(typedIn(preferencePage, "add-preference", "value")).toEqual(["chatty"]);
  });

  it("renaming a fact to a key another fact has is refused, both kept, unless I replace that one", async () => {
    const client = await person();
    await client.post("/memory", { intent: "add-fact", kind: "personal", key: "employer", value: "Other Co" });
    await client.post("/memory", { intent: "add-fact", kind: "personal", key: "home_city", value: "Leeds" });
    const other = await prisma.memoryFact.findFirstOrThrow({ where: { key: "employer", value: "Other Co" } });
    const fact = await prisma.memoryFact.findFirstOrThrow({ where: { userId: other.userId, key: "home_city" } });
    const edit = { intent: "edit-fact", id: fact.id, kind: "personal", key: "employer", value: "Leeds" };
    const refused = await client.post(`/memory?edit=${fact.id}`, edit);
    expect(refused.status).toBe(409);
    const page = await refused.text();
    expect(page).toContain("You already have “employer: Other Co”. Edit that fact instead.");
    expect(typedIn(page, "edit-fact", "key")).toEqual(["employer"]);
    const facts = await prisma.memoryFact.findMany({ where: { userId: other.userId }, orderBy: { key: "asc" } });
    expect(facts.map((row) => [row.key, row.value])).toEqual([
      ["employer", "Other Co"],
      ["home_city", "Leeds"],
    ]);
    expect((await client.post(`/memory?edit=${fact.id}`, { ...edit, replace: "on" })).status).toBe(302);
    const after = await prisma.memoryFact.findMany({ where: { userId: other.userId } });
    expect(after.map((row) => [row.key, row.value])).toEqual([["employer", "Leeds"]]);
  });

  it("a suggestion already handled in another tab answers with the memory page saying so; another person's is still a 404", async () => {
    const { client, userId } = await personWithId();
    const suggestion = (value: string) =>
      prisma.memoryProposal.create({
        data: { userId, ...suggestedFact("pet", value) },
      });
    const accepted = await suggestion("a cat");
    expect((await client.post("/memory", { intent: "accept", id: accepted.id })).status).toBe(302);
    const sends: Array<Record<string, string>> = [
      { intent: "accept", id: accepted.id },
      { intent: "accept-edited", id: accepted.id, kind: "personal", key: "pet", value: "a dog" },
      { intent: "reject", id: accepted.id },
    ];
    for (const sent of sends) {
      const again = await client.post("/memory", sent);
      expect(again.status, sent.intent).toBe(302);
      expect(again.headers.get("location"), sent.intent).toBe("/memory");
      const page = await (await client.get("/memory")).text();
      expect(page, sent.intent).toContain("That suggestion was already handled.");
      expect(page, sent.intent).not.toContain("Page not found");
    }
    expect((await prisma.memoryFact.findFirstOrThrow({ where: { userId, key: "pet" } })).value).toBe("a cat");
    // Its Review link, opened again (an old tab, the back button): the memory page says so, not a 404.
    const review = await client.get(`/memory?review=${accepted.id}&q=pet`);
    expect(review.status).toBe(302);
    expect(review.headers.get("location")).toBe("/memory?q=pet");
    const shown = await (await client.get("/memory?q=pet")).text();
    expect(shown).toContain("That suggestion was already handled.");
    // Someone else's suggestion, handled or not, is still not found.
    const other = await person();
    expect((await other.post("/memory", { intent: "accept", id: accepted.id })).status).toBe(404);
    expect((await other.get(`/memory?review=${accepted.id}`)).status).toBe(404);
    const pending = await suggestion("a hamster");
    expect((await other.post("/memory", { intent: "reject", id: pending.id })).status).toBe(404);
  });

  it("saving an edit of a fact or preference deleted in another tab is the memory page saying so, what I typed in its add form; anyone else's id gets exactly that answer", async () => {
    const [mine, other] = [await person(), await person()];
    const memoriesOf = async (client: Awaited<ReturnType<typeof person>>, value: string) => {
      await client.post("/memory", { intent: "add-fact", kind: "personal", key: "pet", value });
      const fact = await prisma.memoryFact.findFirstOrThrow({ where: { key: "pet", value } });
      await client.post("/memory", { intent: "add-preference", key: "tone", value });
      return { fact, preference: await prisma.memoryPreference.findFirstOrThrow({ where: { userId: fact.userId } }) };
    };
    const { fact, preference } = await memoriesOf(mine, `a cat ${counter}`);
    const { fact: othersFact, preference: othersPreference } = await memoriesOf(other, `a dog ${counter}`);
    // Deleted in another tab while this one's edit form is open.
    expect((await mine.post("/memory", { intent: "delete-fact", id: fact.id })).status).toBe(302);
    expect((await mine.post("/memory", { intent: "delete-preference", id: preference.id })).status).toBe(302);

    /** What the answer shows: status, the page's alerts and the add forms' fields (no ids, no nonce). */
    const shown = async (answer: Response) => {
      const page = await answer.text();
      expect(page).toContain('class="memory-page"');
      expect(page).not.toContain("Page not found");
      const alerts = [...page.matchAll(/role="alert"[^>]*>(.*?)<\/div>/g)].map((m) => m[1]!.replace(/<[^>]+>/g, ""));
      const add = (intent: string) => ["kind", "key", "value"].map((name) => typedIn(page, intent, name));
      const kind = /<option value="(\w+)" selected="">/.exec(page.split('aria-label="Add a fact"')[1] ?? "")?.[1];
      return { status: answer.status, alerts, fact: add("add-fact"), preference: add("add-preference"), kind };
    };
    const editFact = (id: string) => ({
      intent: "edit-fact",
      id,
      kind: "professional",
      key: "pets",
      value: "two cats",
    });
    const editPreference = (id: string) => ({ intent: "edit-preference", id, key: "tone", value: "warm" });

    const gone = await shown(await mine.post(`/memory?edit=${fact.id}`, editFact(fact.id)));
    expect(gone).toEqual({
      status: 404,
      alerts: [
        "That fact was deleted (in another tab?), so your change was not saved. What you typed is in the “Add a fact” form below: add it again if you still want it.",
      ],
      fact: [[], ["pets"], ["two cats"]],
      preference: [[], [""], [""]],
      kind: "professional",
    });
    // Someone else's fact, which exists, and my gone one asked for by someone else: the very same answer.
    expect(await shown(await mine.post(`/memory?edit=${othersFact.id}`, editFact(othersFact.id)))).toEqual(gone);
    expect(await shown(await other.post(`/memory?edit=${fact.id}`, editFact(fact.id)))).toEqual(gone);

    const preferenceGone = await shown(await mine.post(`/memory?edit=${preference.id}`, editPreference(preference.id)));
    expect(preferenceGone).toMatchObject({ status: 404, preference: [[], ["tone"], ["warm"]] });
    expect(preferenceGone.alerts[0]).toContain("That preference was deleted");
    expect(
      await shown(await mine.post(`/memory?edit=${othersPreference.id}`, editPreference(othersPreference.id))),
    ).toEqual(preferenceGone);

    // The Edit link of a stale tab, followed: the page as it is, saying so; the same for anyone else's id.
    const link = await shown(await mine.get(`/memory?edit=${fact.id}`));
    expect(link).toMatchObject({ status: 404, alerts: [expect.stringContaining("no longer there to edit")] });
    expect(await shown(await mine.get(`/memory?edit=${othersFact.id}`))).toEqual(link);
    // Nothing was saved for either person.
    expect(await prisma.memoryFact.count({ where: { userId: fact.userId } })).toBe(0);
    expect((await prisma.memoryFact.findUniqueOrThrow({ where: { id: othersFact.id } })).value).toBe(othersFact.value);
  });

  it("deleting a fact or preference already deleted is the memory page saying so, as for anyone else's id", async () => {
    const [mine, other] = [await person(), await person()];
    const [parrot, dry] = [`a parrot ${counter}`, `dry ${counter}`];
    await mine.post("/memory", { intent: "add-fact", kind: "personal", key: "pet", value: parrot });
    const fact = await prisma.memoryFact.findFirstOrThrow({ where: { key: "pet", value: parrot } });
    await other.post("/memory", { intent: "add-preference", key: "tone", value: dry });
    const othersPreference = await prisma.memoryPreference.findFirstOrThrow({ where: { key: "tone", value: dry } });
    expect((await mine.post("/memory", { intent: "delete-fact", id: fact.id })).status).toBe(302);
    const answers = [
      await mine.post("/memory", { intent: "delete-fact", id: fact.id }),
      await other.post("/memory", { intent: "delete-fact", id: fact.id }),
    ];
    for (const answer of answers) {
      expect(answer.status).toBe(404);
      const page = await answer.text();
      expect(page).toContain('class="memory-page"');
      expect(page).toContain("That fact was already deleted.");
      expect(page).not.toContain(fact.id);
    }
    const notMine = await mine.post("/memory", { intent: "delete-preference", id: othersPreference.id });
    expect(notMine.status).toBe(404);
    expect(await notMine.text()).toContain("That preference was already deleted.");
    expect(await prisma.memoryPreference.count({ where: { id: othersPreference.id } })).toBe(1);
  });

  it("a key the model suggested with odd characters takes the one key form, and can be saved-and-accepted and edited", async () => {
    const { client, userId } = await personWithId();
    const conversation = await prisma.conversation.create({ data: { userId, title: "Keys" } });
    // What a model may send: a decomposed accent, a bidi mark, a symbol, runs of spaces; and a Persian
    // key whose zero-width non-joiner is part of the word.
    const persian = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645";
    const candidate = (key: string, value: string) => ({ ...suggestedFact(key, value), sourceMessageId: null });
    const filed = await fileProposals(
      userId,
      conversation.id,
      [candidate("\u200fCafe\u0301   Owner ✓", "Ada"), candidate(`${persian} \u200e`, "tea")],
      NEVER_AUTO_ACCEPT,
    );
    expect(filed).toMatchObject({ queued: 2, dropped: 0 });
    const proposals = await prisma.memoryProposal.findMany({ where: { userId }, orderBy: { value: "asc" } });
    expect(proposals.map((proposal) => proposal.key)).toEqual(["caf\u00e9_owner", persian]);
    // Save and accept, with the key as the review form shows it.
    const [cafe, tea] = proposals as [(typeof proposals)[number], (typeof proposals)[number]];
    const accepted = await client.post("/memory", {
      intent: "accept-edited",
      id: cafe.id,
      kind: "personal",
      key: cafe.key,
      value: "Ada Lovelace",
    });
    expect(accepted.status).toBe(302);
    expect((await client.post("/memory", { intent: "accept", id: tea.id })).status).toBe(302);
    const facts = await prisma.memoryFact.findMany({ where: { userId }, orderBy: { value: "asc" } });
    expect(facts.map((fact) => [fact.key, fact.value])).toEqual([
      ["caf\u00e9_owner", "Ada Lovelace"],
      [persian, "tea"],
    ]);
    // Edited, the key sent back as typed in another form (precomposed, a symbol): the same fact, corrected.
    const fact = facts[0]!;
    const edited = await client.post("/memory", {
      intent: "edit-fact",
      id: fact.id,
      kind: "personal",
      key: "Caf\u00e9 owner ✓",
      value: "Grace Hopper",
    });
    expect(edited.status).toBe(302);
    const after = await prisma.memoryFact.findUniqueOrThrow({ where: { id: fact.id } });
    expect([after.key, after.value]).toEqual(["caf\u00e9_owner", "Grace Hopper"]);
    expect(after.history).toEqual([expect.objectContaining({ value: "Ada Lovelace" })]);
  });

  it("a fact or suggestion whose key was stored in an older form (bad_key_✓) is still edited and accepted, not refused", async () => {
    const { client, userId } = await personWithId();
    const stored = await prisma.memoryFact.create({
      data: { userId, kind: "personal", key: "bad_key_✓", value: "old value", confidence: 1 },
    });
    const edit = { intent: "edit-fact", id: stored.id, kind: "personal", key: stored.key, value: "new value" };
    expect((await client.post("/memory", edit)).status).toBe(302);
    const after = await prisma.memoryFact.findMany({ where: { userId } });
    // The same fact, corrected in place, its key in today's form; no second fact beside it.
    expect(after.map((fact) => [fact.id, fact.key, fact.value])).toEqual([[stored.id, "bad_key", "new value"]]);
    const suggestion = await prisma.memoryProposal.create({
      data: { userId, type: "preference", key: "tone_✓", value: "brief", ...SUGGESTED },
    });
    const accept = { intent: "accept-edited", id: suggestion.id, key: suggestion.key, value: "very brief" };
    expect((await client.post("/memory", accept)).status).toBe(302);
    const preferences = await prisma.memoryPreference.findMany({ where: { userId } });
    expect(preferences.map((preference) => [preference.key, preference.value])).toEqual([["tone", "very brief"]]);
  });

  it("a key that is over 80 characters once stored, or only joiners, is refused when typed and dropped when suggested", async () => {
    const { client, userId } = await personWithId();
    // 80 characters typed, 160 stored: each İ lower-cases to i and a combining dot.
    const dotted = "İ".repeat(80);
    const refused = await client.post("/memory", { intent: "add-fact", kind: "personal", key: dotted, value: "x" });
    expect(refused.status).toBe(400);
    const page = await refused.text();
    expect(page).toContain("Use a shorter name: stored, it is over 80 characters.");
    expect(typedIn(page, "add-fact", "key")).toEqual([dotted]);
    const joiners = await client.post("/memory", { intent: "add-preference", key: "\u200d\u200c", value: "x" });
    expect(joiners.status).toBe(400);
    expect(await joiners.text()).toContain("Name it (e.g. employer).");
    // Forty of them fit: stored, the key is 80 and its edit is accepted.
    const fits = { intent: "add-fact", kind: "personal", key: "İ".repeat(40), value: "x" };
    expect((await client.post("/memory", fits)).status).toBe(302);
    const stored = await prisma.memoryFact.findFirstOrThrow({ where: { userId } });
    expect(stored.key).toHaveLength(80);
    const edit = { intent: "edit-fact", id: stored.id, kind: "personal", key: stored.key, value: "y" };
    expect((await client.post("/memory", edit)).status).toBe(302);

    const conversation = await prisma.conversation.create({ data: { userId, title: "Long keys" } });
    const candidate = { type: "preference" as const, kind: null, key: dotted, value: "tea" };
    const filed = await fileProposals(
      userId,
      conversation.id,
      [{ ...candidate, ...SUGGESTED, sourceMessageId: null }],
      NEVER_AUTO_ACCEPT,
    );
    expect(filed).toMatchObject({ queued: 0, dropped: 1 });
    expect(await prisma.memoryFact.count({ where: { userId } })).toBe(1);
  });

  it("has one main landmark (it nested a second one inside the layout's)", async () => {
    const client = await person();
    const page = await (await client.get("/memory")).text();
    expect(page.match(/<main\b/g)).toHaveLength(1);
    expect(page).toContain('class="memory-page"');
  });
});
