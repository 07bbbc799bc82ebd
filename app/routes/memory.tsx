import { refusedFormReply, retryAfterHeaders } from "~/http/write-limit.server";
import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import type { ShouldRevalidateFunction } from "@remix-run/react";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { OneTimeNotice } from "~/components/one-time-notice";
import { redirectWithNotice, takeNotice } from "~/http/notice.server";
import { takeTypedForm } from "~/http/unsaved-form.server";
import { useEffect, useRef, type RefObject } from "react";
import { requireUser } from "~/auth/guards.server";
import { ErrorPage } from "~/components/error-page";
import { FormErrors, sentValue } from "~/components/forms";
import {
  deleteMemory,
  editFact,
  editPreference,
  forgetEverything,
  addFact,
  addPreference,
  listMemories,
  MemoryKeyTakenError,
  MemoryNotFoundError,
} from "~/memory/memories.server";
import { acceptProposal, isDecidedProposal, pendingProposals, rejectProposal } from "~/memory/proposals.server";
import { FACT_KINDS, memoryIntent } from "~/memory/schemas";
import memoryStylesheet from "~/styles/memory.css?url";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: memoryStylesheet }];

export const meta: MetaFunction = () => [{ title: "Memory · ARES" }];

function notFound(): never {
  throw new Response("Not found", { status: 404 });
}

const NOTICES: Record<string, string> = {
  fact: "Fact saved.",
  preference: "Preference saved.",
  deleted: "Deleted. It is no longer in any prompt or summary.",
  accepted: "Accepted: ARES will use it from the next message.",
  rejected: "Rejected: ARES will not use it.",
  forgotten: "Everything ARES remembered about you is gone.",
  handled: "That suggestion was already handled.",
};

// A post the write limit refused carries Retry-After on the document response, not just in the data.
export { retryAfterHeaders as headers };

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const url = new URL(request.url);
  const search = url.searchParams.get("q")?.slice(0, 200) ?? "";
  const [memories, proposals] = await Promise.all([listMemories(user.id, search), pendingProposals(user.id)]);
  // ?edit= opens the form for one of MY items. One deleted meanwhile (another tab; the page an edit of
  // it is refused on) is the page as it is now, saying so, with a 404 status; anyone else's id is
  // answered exactly so, as nothing tells the two apart.
  const edit = url.searchParams.get("edit");
  const has = (all: typeof memories) => [...all.facts, ...all.preferences].some((m) => m.id === edit);
  const editGone = Boolean(edit) && !has(memories) && !(search && has(await listMemories(user.id)));
  // ?review= likewise for suggestions; a decided one is still mine, so it can be told apart from another's.
  const review = url.searchParams.get("review");
  if (review && !proposals.some((p) => p.id === review)) {
    // Mine, decided meanwhile (in another tab, an old link): the page as it is now, saying so.
    if (!(await isDecidedProposal(user.id, review))) notFound();
    url.searchParams.delete("review");
    throw await redirectWithNotice(`/memory${url.search}`, "handled", user.id);
  }
  const { notice, headers } = await takeNotice(request, user.id, NOTICES);
  // What was typed into one of its forms when the session had ended, back once signed in again.
  const typed = await takeTypedForm(request, user.id);
  for (const cookie of typed.headers.getSetCookie()) headers.append("Set-Cookie", cookie);
  const page = {
    typed: typed.fields,
    notice,
    editGone,
    search,
    facts: memories.facts.map((fact) => ({
      id: fact.id,
      kind: fact.kind,
      key: fact.key,
      value: fact.value,
      corrections: Array.isArray(fact.history) ? fact.history.length : 0,
      conversationId: fact.sourceMessage?.conversationId ?? null,
      sourceMessageId: fact.sourceMessageId,
    })),
    preferences: memories.preferences.map((preference) => ({
      id: preference.id,
      key: preference.key,
      value: preference.value,
      corrections: Array.isArray(preference.history) ? preference.history.length : 0,
      conversationId: preference.sourceMessage?.conversationId ?? null,
      sourceMessageId: preference.sourceMessageId,
    })),
    proposals: proposals.map((proposal) => ({
      ...proposal,
      createdAt: proposal.createdAt.toISOString(),
    })),
  };
  return data(page, { headers, status: editGone ? 404 : 200 });
}

/** What a refused edit or delete of a memory deleted meanwhile says (the same for anyone else's id). */
const GONE = {
  edit: (what: string) =>
    `That ${what} was deleted (in another tab?), so your change was not saved. What you typed is in the “Add a ${what}” form below: add it again if you still want it.`,
  delete: (what: string) => `That ${what} was already deleted.`,
};

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  const submission = parseWithZod(await request.formData(), { schema: memoryIntent });
  // Refused before it got here (a NUL in it, or the write limit): the page, with the form as sent and why.
  const refused = refusedFormReply(context, (options) => submission.reply(options));
  if (refused) return refused;
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  const intent = submission.value;
  const clash = { replace: "replace" in intent && intent.replace === true };
  try {
    switch (intent.intent) {
      case "add-fact":
        await addFact(user.id, { kind: intent.kind, key: intent.key, value: intent.value }, clash);
        return redirectWithNotice("/memory", "fact", user.id);
      case "edit-fact":
        await editFact(user.id, intent.id, { kind: intent.kind, key: intent.key, value: intent.value }, clash);
        return redirectWithNotice("/memory", "fact", user.id);
      case "delete-fact":
        await deleteMemory(user.id, "fact", intent.id);
        return redirectWithNotice("/memory", "deleted", user.id);
      case "add-preference":
        await addPreference(user.id, { key: intent.key, value: intent.value }, clash);
        return redirectWithNotice("/memory", "preference", user.id);
      case "edit-preference":
        await editPreference(user.id, intent.id, { key: intent.key, value: intent.value }, clash);
        return redirectWithNotice("/memory", "preference", user.id);
      case "delete-preference":
        await deleteMemory(user.id, "preference", intent.id);
        return redirectWithNotice("/memory", "deleted", user.id);
      case "accept":
        await acceptProposal(user.id, intent.id);
        return redirectWithNotice("/memory", "accepted", user.id);
      case "accept-edited":
        await acceptProposal(user.id, intent.id, { kind: intent.kind, key: intent.key, value: intent.value });
        return redirectWithNotice("/memory", "accepted", user.id);
      case "reject":
        await rejectProposal(user.id, intent.id);
        return redirectWithNotice("/memory", "rejected", user.id);
      case "forget":
        await forgetEverything(user.id);
        return redirectWithNotice("/memory", "forgotten", user.id);
    }
  } catch (error) {
    // A suggestion decided in another tab meanwhile: the page as it is now, saying so (not a 404 page).
    if (
      error instanceof MemoryNotFoundError &&
      (intent.intent === "accept" || intent.intent === "accept-edited" || intent.intent === "reject") &&
      (await isDecidedProposal(user.id, intent.id))
    )
      return redirectWithNotice("/memory", "handled", user.id);
    // An edit or delete of a memory deleted meanwhile: the page as it is now, saying so; an edit's typed
    // key and value wait in the add form. Anyone else's id is answered exactly the same (no id echoed).
    if (error instanceof MemoryNotFoundError && intent.intent.startsWith("edit-")) {
      const what = intent.intent === "edit-fact" ? "fact" : "preference";
      const reply = submission.reply({ formErrors: [GONE.edit(what)], hideFields: ["id"] });
      const refill = { ...reply.initialValue, intent: `add-${what}` };
      return data({ ...reply, initialValue: refill, refilled: JSON.stringify(refill) }, { status: 404 });
    }
    if (error instanceof MemoryNotFoundError && intent.intent.startsWith("delete-")) {
      const what = intent.intent === "delete-fact" ? "fact" : "preference";
      return data(submission.reply({ formErrors: [GONE.delete(what)], hideFields: ["id"] }), { status: 404 });
    }
    if (error instanceof MemoryNotFoundError) notFound();
    // The form comes back as typed, saying which memory has that key; "Replace it" then replaces it.
    if (error instanceof MemoryKeyTakenError) {
      const what = intent.intent.endsWith("fact") ? "fact" : "preference";
      return data(
        submission.reply({
          fieldErrors: {
            key: [`You already have “${error.existing.key}: ${error.existing.value}”. Edit that ${what} instead.`],
          },
        }),
        { status: 409 },
      );
    }
    throw error;
  }
}

/** A refused edit or delete of a memory deleted meanwhile also reloads the list, which no longer has it. */
export const shouldRevalidate: ShouldRevalidateFunction = ({ actionStatus, defaultShouldRevalidate }) =>
  actionStatus === 404 || defaultShouldRevalidate;

function Source({ conversationId, messageId }: { conversationId: string | null; messageId: string | null }) {
  if (!conversationId || !messageId) return null;
  return (
    <Link className="memory__source" to={`/chat/${conversationId}#m-${messageId}`}>
      from this message
    </Link>
  );
}

/**
 * Empties an add form once what it sent is saved. Without JS the page after the redirect is new and its
 * fields start empty; with JS the form stays mounted and would keep the saved values, inviting a duplicate.
 * A refused submission (the action answers with errors, no redirect) keeps what was typed.
 */
function useClearedWhenSaved(form: RefObject<HTMLFormElement>, intent: string) {
  const navigation = useNavigation();
  const lastResult = useActionData<typeof action>();
  const sent = useRef(false);
  useEffect(() => {
    if (navigation.state !== "idle") {
      if (navigation.formData?.get("intent") === intent) sent.current = true;
      return;
    }
    if (!sent.current) return;
    sent.current = false;
    if (!lastResult) form.current?.reset();
  }, [navigation.state, navigation.formData, lastResult, form, intent]);
}

export default function Memory() {
  const { typed, notice, editGone, search, facts, preferences, proposals } = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  // The form a save refused just now was sent from, or else one typed into when the session had ended.
  const sent = lastResult ?? (typed ? { initialValue: typed } : undefined);
  const [params] = useSearchParams();
  const edit = params.get("edit");
  const review = params.get("review");
  const addFact = useRef<HTMLFormElement>(null);
  const addPreference = useRef<HTMLFormElement>(null);
  useClearedWhenSaved(addFact, "add-fact");
  useClearedWhenSaved(addPreference, "add-preference");
  // With JS the add forms stay mounted, and a <select> takes a new defaultValue only when mounted anew:
  // an edit refilled into them (its memory deleted meanwhile) mounts them again.
  const refilled = lastResult && "refilled" in lastResult ? lastResult.refilled : "";
  // A key another memory has is said in the form that sent it, next to "Replace it" (KeyTaken).
  const errors = lastResult?.error
    ? Object.values(lastResult.error)
        .flat()
        .filter((e): e is string => typeof e === "string" && e !== "" && !isKeyTaken(e))
    : [];

  return (
    <div className="memory-page">
      <h1>Memory</h1>
      <p>
        What ARES knows about you. Nothing it suggests is used until you accept it. Switch memory off, or turn on
        auto-accept, in <Link to="/settings/assistant">Settings → Assistant</Link>.
      </p>
      <OneTimeNotice notice={notice} hidden={Boolean(lastResult)} />
      <FormErrors errors={errors} />
      {editGone && !lastResult ? (
        <FormErrors
          errors={["That fact or preference is no longer there to edit: it was deleted (in another tab?)."]}
        />
      ) : null}

      <section className="card" aria-labelledby="review-title">
        <h2 id="review-title">To review ({proposals.length})</h2>
        {proposals.length === 0 ? <p>Nothing waiting.</p> : null}
        <ul className="memory-list">
          {proposals.map((proposal) => (
            <li key={proposal.id} className="memory-item" data-testid="proposal">
              <p>
                <strong>
                  {proposal.type === "fact" ? `${proposal.kind} · ` : "prefers "}
                  <span dir="auto">{proposal.key}</span>
                </strong>
                : <span dir="auto">{proposal.value}</span>{" "}
                <span className="muted">
                  (confidence {Math.round(proposal.confidence * 100)} %, importance {proposal.importance})
                </span>{" "}
                <Source conversationId={proposal.conversationId} messageId={proposal.sourceMessageId} />
              </p>
              {proposal.replaces ? (
                <p className="memory__replaces">
                  Replaces: {proposal.replaces.key}: {proposal.replaces.value}
                </p>
              ) : null}
              {review === proposal.id ? (
                <Form method="post" className="memory-form">
                  <input type="hidden" name="intent" value="accept-edited" />
                  <input type="hidden" name="id" value={proposal.id} />
                  {proposal.type === "fact" ? <KindSelect value={proposal.kind ?? "personal"} /> : null}
                  <label>
                    Key{" "}
                    {/* Opened in place by Edit (a change of query, which moves no focus by itself): focus comes here. */}
                    <input name="key" dir="auto" defaultValue={proposal.key} required maxLength={80} autoFocus />
                  </label>
                  <label>
                    Value <input name="value" dir="auto" defaultValue={proposal.value} required maxLength={1000} />
                  </label>
                  <button type="submit">Save and accept</button> <Link to="/memory">Cancel</Link>
                </Form>
              ) : (
                <div className="memory-actions">
                  <Form method="post">
                    <input type="hidden" name="intent" value="accept" />
                    <input type="hidden" name="id" value={proposal.id} />
                    <button type="submit" className="small">
                      <Named verb="Accept" item={proposal} />
                    </button>
                  </Form>
                  <Link className="button secondary small" to={`?review=${proposal.id}`}>
                    <Named verb="Edit" item={proposal} />
                  </Link>
                  <Form method="post">
                    <input type="hidden" name="intent" value="reject" />
                    <input type="hidden" name="id" value={proposal.id} />
                    <button type="submit" className="secondary small">
                      <Named verb="Reject" item={proposal} />
                    </button>
                  </Form>
                </div>
              )}
            </li>
          ))}
        </ul>
      </section>

      <section className="card" aria-labelledby="memories-title">
        <h2 id="memories-title">What ARES remembers</h2>
        <Form method="get" role="search" className="memory-search">
          <label htmlFor="memory-q">Search</label>
          <input id="memory-q" name="q" type="search" defaultValue={search} maxLength={200} />
          <button type="submit" className="secondary small">
            Search
          </button>
        </Form>
        <h3>Facts</h3>
        {facts.length === 0 ? <p>{search ? "No fact matches." : "No facts yet."}</p> : null}
        <ul className="memory-list">
          {facts.map((fact) => (
            <li key={fact.id} className="memory-item" data-testid="fact">
              {edit === fact.id ? (
                <Form method="post" className="memory-form">
                  <input type="hidden" name="intent" value="edit-fact" />
                  <input type="hidden" name="id" value={fact.id} />
                  <KindSelect value={sentValue(sent, { intent: "edit-fact", id: fact.id }, "kind") ?? fact.kind} />
                  <label>
                    Key{" "}
                    <input
                      name="key"
                      dir="auto"
                      defaultValue={sentValue(sent, { intent: "edit-fact", id: fact.id }, "key") ?? fact.key}
                      required
                      maxLength={80}
                    />
                  </label>
                  <label>
                    Value{" "}
                    <input
                      name="value"
                      dir="auto"
                      defaultValue={sentValue(sent, { intent: "edit-fact", id: fact.id }, "value") ?? fact.value}
                      required
                      maxLength={1000}
                    />
                  </label>
                  <KeyTaken lastResult={lastResult} from={{ intent: "edit-fact", id: fact.id }} />
                  <button type="submit">Save</button> <Link to="/memory">Cancel</Link>
                </Form>
              ) : (
                <>
                  <p>
                    <strong>
                      {fact.kind} · <span dir="auto">{fact.key}</span>
                    </strong>
                    : <span dir="auto">{fact.value}</span>{" "}
                    {fact.corrections ? <span className="muted">(corrected {fact.corrections}×)</span> : null}{" "}
                    <Source conversationId={fact.conversationId} messageId={fact.sourceMessageId} />
                  </p>
                  <div className="memory-actions">
                    <Link className="button secondary small" to={`?edit=${fact.id}`}>
                      <Named verb="Edit" item={fact} />
                    </Link>
                    <Form method="post">
                      <input type="hidden" name="intent" value="delete-fact" />
                      <input type="hidden" name="id" value={fact.id} />
                      <button type="submit" className="secondary small">
                        <Named verb="Delete" item={fact} />
                      </button>
                    </Form>
                  </div>
                </>
              )}
            </li>
          ))}
        </ul>
        <Form key={`fact${refilled}`} method="post" className="memory-form" aria-label="Add a fact" ref={addFact}>
          <input type="hidden" name="intent" value="add-fact" />
          <KindSelect value={sentValue(sent, { intent: "add-fact" }, "kind") ?? "personal"} />
          <label>
            Key{" "}
            <input
              name="key"
              dir="auto"
              defaultValue={sentValue(sent, { intent: "add-fact" }, "key")}
              required
              maxLength={80}
              placeholder="employer"
            />
          </label>
          <label>
            Value{" "}
            <input
              name="value"
              dir="auto"
              defaultValue={sentValue(sent, { intent: "add-fact" }, "value")}
              required
              maxLength={1000}
              placeholder="Acme Ltd"
            />
          </label>
          <KeyTaken lastResult={lastResult} from={{ intent: "add-fact" }} />
          <button type="submit">Add fact</button>
        </Form>

        <h3>Preferences</h3>
        {preferences.length === 0 ? <p>{search ? "No preference matches." : "No preferences yet."}</p> : null}
        <ul className="memory-list">
          {preferences.map((preference) => (
            <li key={preference.id} className="memory-item" data-testid="preference">
              {edit === preference.id ? (
                <Form method="post" className="memory-form">
                  <input type="hidden" name="intent" value="edit-preference" />
                  <input type="hidden" name="id" value={preference.id} />
                  <label>
                    Key{" "}
                    <input
                      name="key"
                      dir="auto"
                      defaultValue={
                        sentValue(sent, { intent: "edit-preference", id: preference.id }, "key") ?? preference.key
                      }
                      required
                      maxLength={80}
                    />
                  </label>
                  <label>
                    Value{" "}
                    <input
                      name="value"
                      dir="auto"
                      defaultValue={
                        sentValue(sent, { intent: "edit-preference", id: preference.id }, "value") ?? preference.value
                      }
                      required
                      maxLength={1000}
                    />
                  </label>
                  <KeyTaken lastResult={lastResult} from={{ intent: "edit-preference", id: preference.id }} />
                  <button type="submit">Save</button> <Link to="/memory">Cancel</Link>
                </Form>
              ) : (
                <>
                  <p>
                    <strong dir="auto">{preference.key}</strong>: <span dir="auto">{preference.value}</span>{" "}
                    <Source conversationId={preference.conversationId} messageId={preference.sourceMessageId} />
                  </p>
                  <div className="memory-actions">
                    <Link className="button secondary small" to={`?edit=${preference.id}`}>
                      <Named verb="Edit" item={preference} />
                    </Link>
                    <Form method="post">
                      <input type="hidden" name="intent" value="delete-preference" />
                      <input type="hidden" name="id" value={preference.id} />
                      <button type="submit" className="secondary small">
                        <Named verb="Delete" item={preference} />
                      </button>
                    </Form>
                  </div>
                </>
              )}
            </li>
          ))}
        </ul>
        <Form
          key={`preference${refilled}`}
          method="post"
          className="memory-form"
          aria-label="Add a preference"
          ref={addPreference}
        >
          <input type="hidden" name="intent" value="add-preference" />
          <label>
            Key{" "}
            <input
              name="key"
              dir="auto"
              defaultValue={sentValue(sent, { intent: "add-preference" }, "key")}
              required
              maxLength={80}
              placeholder="reply_style"
            />
          </label>
          <label>
            Value{" "}
            <input
              name="value"
              dir="auto"
              defaultValue={sentValue(sent, { intent: "add-preference" }, "value")}
              required
              maxLength={1000}
              placeholder="short answers"
            />
          </label>
          <KeyTaken lastResult={lastResult} from={{ intent: "add-preference" }} />
          <button type="submit">Add preference</button>
        </Form>
      </section>

      <section className="card danger-zone" aria-labelledby="forget-title">
        <h2 id="forget-title">Forget everything</h2>
        <p>
          Deletes every fact, preference, suggestion and conversation summary ARES holds about you. It cannot be undone.
        </p>
        <Form method="post" className="memory-form">
          <input type="hidden" name="intent" value="forget" />
          <label>
            Type “forget everything” to confirm <input name="confirm" autoComplete="off" required />
          </label>
          <button type="submit" className="danger">
            Forget everything
          </button>
        </Form>
      </section>
    </div>
  );
}

/** Longest item text a button's name quotes; a longer one is cut at a word and ends with "…". */
const NAMED_ITEM_MAX = 60;

/** `key: value`, cut to NAMED_ITEM_MAX characters (whole code points, at a space when one is near). */
function itemName(item: { key: string; value: string }): string {
  const full = `${item.key}: ${item.value}`.replace(/\s+/g, " ").trim();
  const chars = [...full];
  if (chars.length <= NAMED_ITEM_MAX) return full;
  const cut = chars.slice(0, NAMED_ITEM_MAX - 1).join("");
  const space = cut.lastIndexOf(" ");
  return `${(space > NAMED_ITEM_MAX / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/**
 * A list action's visible verb with the item it acts on for screen readers ("Delete “employer: Acme”"):
 * otherwise every row's buttons read the same. The visible word comes first, so voice control's "click
 * Delete" still finds it.
 */
function Named({ verb, item }: { verb: string; item: { key: string; value: string } }) {
  return (
    <>
      {verb}
      <span className="visually-hidden"> “{itemName(item)}”</span>
    </>
  );
}

const isKeyTaken = (error: string) => error.startsWith("You already have “");

/**
 * The refusal of a key another memory has, in the form that sent it, with the choice to replace that
 * memory after all (sent again, the form replaces it). Nothing when this form was not refused so.
 */
function KeyTaken({
  lastResult,
  from,
}: {
  lastResult:
    { initialValue?: Record<string, unknown> | null; error?: Record<string, string[] | null> | null } | undefined;
  from: Record<string, string>;
}) {
  const message =
    sentValue(lastResult, from, "key") === undefined ? undefined : lastResult?.error?.key?.find(isKeyTaken);
  if (!message) return null;
  return (
    <>
      <p className="form-error" role="alert">
        {message}
      </p>
      <label className="checkbox">
        <input type="checkbox" name="replace" /> Replace it
      </label>
    </>
  );
}

function KindSelect({ value }: { value: string }) {
  return (
    <label>
      Kind{" "}
      <select name="kind" defaultValue={value}>
        {FACT_KINDS.map((kind) => (
          <option key={kind} value={kind}>
            {kind}
          </option>
        ))}
      </select>
    </label>
  );
}

export function ErrorBoundary() {
  return <ErrorPage />;
}
