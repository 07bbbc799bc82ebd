import escapeHtml from "escape-html";
import type { Theme } from "~/components/theme";
import { signedOutPageHtml } from "./signed-out-page.server";

/**
 * A calendar event or a memory entry posted without JS after the session ended (signed out in another
 * tab, expired, revoked) must not lose what was typed on the way to the sign-in page: the answer shows the
 * typed text back, to copy, with the way to sign in again. It is never put in a URL (addresses end up in
 * logs and history). Unlike a chat message (chat/unsent-message.server.ts) it is not carried through
 * signing in: a form has several fields to put back, and each form would need its own restoring.
 */
const FORMS: readonly { route: RegExp; fields: Readonly<Record<string, string>> }[] = [
  { route: /^\/calendar\/new$/, fields: { title: "Title", location: "Location", description: "Description" } },
  {
    route: /^\/calendar\/events\/[^/]+\/edit$/,
    fields: { title: "Title", location: "Location", description: "Description" },
  },
  // Adding or editing a fact or a preference (a deletion has no text: it goes to the sign-in page as before).
  { route: /^\/memory$/, fields: { key: "Key", value: "Value" } },
];

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
export function unsavedFormHtml(options: { typed: Typed[]; signInAddress: string; theme: Theme }): string {
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
    body: `<p role="alert" data-status="signed-out">You were signed out before this was saved. Sign in again; here is what you typed:</p>
${boxes}`,
  });
}
