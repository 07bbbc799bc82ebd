import escapeHtml from "escape-html";
import type { Theme } from "~/components/theme";
import { signedCookie } from "./signed-cookie.server";
import { NUL_NOT_KEPT, signedOutPageHtml } from "./signed-out-page.server";

/**
 * A calendar event, a memory entry or the assistant's system prompt posted without JS after the session ended (signed out in another
 * tab, expired, revoked) must not lose what was typed on the way to the sign-in page: the answer shows the
 * typed text back, to copy, with the way to sign in again, and a short-lived signed cookie carries it
 * through signing in: the form it was typed into has it again (a chat message, which can be far longer,
 * waits in the database instead: chat/kept-text.server.ts). With JS the save is a data request that Remix
 * answers with its own sign-in redirect: the cookie is set all the same, so the form has the text again after
 * signing in. It is never put in a URL (addresses end up in logs and history).
 * Known limit (docs/decisions/015): the cookie holds about 2,700 characters of text in all (about 900 CJK
 * characters). Longer, without JS it is only shown back, with a note; with JS it is lost without a word.
 * One cookie for every form: a second save replaces the first. Signed, not encrypted. The fix is the
 * database, as for the message box.
 */
const FORMS: readonly { route: RegExp; fields: Readonly<Record<string, string>>; which?: readonly string[] }[] = [
  { route: /^\/calendar\/new$/, fields: { title: "Title", location: "Location", description: "Description" } },
  {
    route: /^\/calendar\/events\/[^/]+\/edit$/,
    fields: { title: "Title", location: "Location", description: "Description" },
    // The version it was typed against: an event changed meanwhile is the usual 409 on saving, not overwritten.
    which: ["version"],
  },
  // Adding or editing a fact or a preference (a deletion has no text: it goes to the sign-in page as before).
  // `which`: the form of the page it was typed into (add or edit, and which entry), and its kind.
  { route: /^\/memory$/, fields: { key: "Key", value: "Value" }, which: ["intent", "id", "kind"] },
  // The assistant's system prompt (up to 8,000 characters): only its save holds text; the other forms of
  // the page (reset, memory settings) go to the sign-in page as before. `which`: the rest of that form,
  // typed with it: back without them, the form showed the stored numbers, and saving it stored those.
  {
    route: /^\/settings\/assistant$/,
    fields: { systemPrompt: "System prompt" },
    which: ["model", "temperature", "topP", "maxTokens"],
  },
];

/**
 * Forms whose typed text only a database outage's page gives back (outage.server.ts): signed out, a chat
 * message waits in the database instead (chat/kept-text.server.ts), and the settings have nothing kept.
 */
const OUTAGE_ONLY_FORMS: readonly { route: RegExp; fields: Readonly<Record<string, string>> }[] = [
  // The message box, and the title of an open rename panel (page-forms.server.ts COMPOSER_TYPED_FIELDS),
  // on the chat pages and the buttons that submit the box's form elsewhere (the theme, a calendar card's).
  {
    route: /^\/(chat(\/[^/]+)?|theme|chat\/[^/]+\/actions\/[^/]+)$/,
    fields: { message: "Your message", title: "Title" },
  },
  { route: /^\/settings\/profile$/, fields: { name: "Name" } },
  { route: /^\/settings\/assistant$/, fields: { systemPrompt: "System prompt" } },
];
/** The typed fields that hold more than a line (a box; the others are one-line inputs on their pages). */
const MULTI_LINE: ReadonlySet<string> = new Set(["message", "description", "systemPrompt"]);

export type TypedField = { label: string; multiLine: boolean };

/** Every field a person types into in the form posted to `route` (its path), by name, in the form's order. */
export function typedFieldsOf(route: string): ReadonlyMap<string, TypedField> {
  const form = [...FORMS, ...OUTAGE_ONLY_FORMS].find((candidate) => candidate.route.test(route));
  return new Map(
    Object.entries(form?.fields ?? {}).map(([name, label]) => [name, { label, multiLine: MULTI_LINE.has(name) }]),
  );
}

type Typed = { label: string; value: string };

/** Whether a signed-out post to `route` may hold text to show back (its body is read after the guard). */
export function holdsTypedText(route: string): boolean {
  return FORMS.some((form) => form.route.test(route));
}

/** The free text typed into the form posted to `route`, in the form's order; empty when nothing was typed. */
export function typedText(route: string, fields: Iterable<[string, string]>): Typed[] {
  const form = FORMS.find((candidate) => candidate.route.test(route));
  if (!form) return [];
  // A form body's fields (not query parameters, which tests/proof/fuzz sweeps).
  const posted: Record<string, string> = Object.fromEntries(fields);
  return Object.entries(form.fields)
    .map(([name, label]) => ({ label, value: posted[name] ?? "" }))
    .filter((typed) => typed.value.trim() !== "");
}

/** The 401 page such a post gets: what happened, each typed field in a box to copy, and the way to sign in. */
export function unsavedFormHtml(options: {
  typed: Typed[];
  signInAddress: string;
  kept: boolean;
  /** It held a NUL (shown as U+FFFD), so it was not kept: say why. */
  hadNul?: boolean;
  theme: Theme;
}): string {
  const after = options.hadNul
    ? `${NUL_NOT_KEPT} Here is what you typed:`
    : options.kept
      ? "Sign in again and the text you typed will be back in the form; here it is:"
      : "Sign in again; here is what you typed:";
  const boxes = options.typed
    .map(
      ({ label, value }, index) =>
        `<label for="typed-${index}">${escapeHtml(label)}</label>\n` +
        // The HTML parser drops the newline right after <textarea>: the text's own leading blank line stays.
        `<textarea id="typed-${index}" rows="${value.includes("\n") ? 6 : 2}" dir="auto" readonly>\n${escapeHtml(value)}</textarea>`,
    )
    .join("\n");
  return signedOutPageHtml({
    theme: options.theme,
    signInAddress: options.signInAddress,
    textareaCss: "box-sizing:border-box;width:100%;font:inherit;padding:.5rem",
    body: `<p role="alert" data-status="signed-out">You were signed out before this was saved. ${after}</p>
${boxes}`,
  });
}

const TYPED_COOKIE = "__ares_unsaved_form";
const TYPED_MAX_AGE_SECONDS = 15 * 60;
/**
 * Browsers keep cookies up to 4096 bytes (name and attributes included); longer text is only shown (no JS)
 * or lost (JS). Behind nginx the response's headers must fit proxy_buffer_size (docs/deploy.md sets 16k).
 */
const COOKIE_BYTES_MAX = 3_900;

/**
 * `user`: whose ended session posted it; only they get it back (the browser may be someone else's next).
 * `occurrence`: the page's `?occurrence=` (one date of a repeating event): another date's form does not get it.
 */
type StoredTyped = { page: string; occurrence?: string | null; fields: Record<string, string>; user: string };

function typedCookie() {
  return signedCookie(TYPED_COOKIE, { maxAgeSeconds: TYPED_MAX_AGE_SECONDS });
}

/**
 * The Set-Cookie that keeps what was typed into the form posted to `page` until `user` signs in again:
 * its text fields and which form it was; null when nothing was typed or it is too long for a cookie.
 */
export async function keepTypedCookie(
  page: string,
  occurrence: string | null,
  user: string,
  posted: Iterable<[string, string]>,
) {
  const form = FORMS.find((candidate) => candidate.route.test(page));
  if (!form) return null;
  const sent: Record<string, string> = Object.fromEntries(posted);
  const names = [...Object.keys(form.fields), ...(form.which ?? [])];
  const fields = Object.fromEntries(
    names.filter((name) => sent[name] !== undefined).map((name) => [name, sent[name]!]),
  );
  const header = await typedCookie().serialize({ page, occurrence, fields, user } satisfies StoredTyped);
  return Buffer.byteLength(header) <= COOKIE_BYTES_MAX ? header : null;
}

function isStoredTyped(value: unknown): value is StoredTyped {
  if (typeof value !== "object" || value === null) return false;
  const { page, occurrence, fields, user } = value as Record<string, unknown>;
  return (
    typeof page === "string" &&
    (occurrence === undefined || occurrence === null || typeof occurrence === "string") &&
    typeof user === "string" &&
    typeof fields === "object" &&
    fields !== null &&
    Object.values(fields).every((field) => typeof field === "string")
  );
}

/** The Set-Cookie that drops kept form text (signing out: it was the person's leaving). */
export function clearTypedCookie(): Promise<string> {
  return typedCookie().serialize("", { maxAge: 0, expires: new Date(0) });
}

/**
 * `userId`'s form text kept for this page, taken once (the headers clear the cookie; return them with
 * the loader's data). Another page's (or another date's) stays for that page; someone else's is dropped unseen.
 */
export async function takeTypedForm(
  request: Request,
  userId: string,
): Promise<{ fields: Record<string, string> | null; headers: Headers }> {
  const headers = new Headers();
  const cookieHeader = request.headers.get("cookie");
  if (!cookieHeader?.includes(`${TYPED_COOKIE}=`)) return { fields: null, headers };
  const value: unknown = await typedCookie().parse(cookieHeader);
  const mine = isStoredTyped(value) && value.user === userId;
  const url = new URL(request.url);
  if (mine && (value.page !== url.pathname || (value.occurrence ?? null) !== url.searchParams.get("occurrence")))
    return { fields: null, headers };
  headers.append("Set-Cookie", await clearTypedCookie());
  return { fields: mine ? value.fields : null, headers };
}

/** A form's defaults with the text kept from a save after the session ended put back in place. */
export function withTypedText<T extends Record<string, unknown>>(
  defaults: T,
  fields: Record<string, string> | null,
): T {
  if (!fields) return defaults;
  const restored: Record<string, unknown> = { ...defaults };
  for (const name of ["title", "location", "description"]) {
    if (typeof fields[name] === "string" && typeof defaults[name] !== "object") restored[name] = fields[name];
  }
  return restored as T;
}
