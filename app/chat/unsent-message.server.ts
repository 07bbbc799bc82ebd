import escapeHtml from "escape-html";
import type { Theme } from "~/components/theme";
import { NUL_NOT_KEPT, signedOutPageHtml } from "~/http/signed-out-page.server";

/*
 * A message sent without JS after the session ended (signed out in another tab, expired, revoked) must
 * not be lost on the way to the sign-in page. The answer to that post shows the text back, to copy, and
 * it is kept (kept-text.server.ts) for the person whose session it was: the composer of the page it was
 * sent from has it again once they sign in.
 */

/**
 * The 401 page a signed-out send gets: what happened, the text in a box to copy, and the way to sign in
 * and back to the conversation (`kept`: it waits there).
 */
export function unsentMessageHtml(options: {
  message: string;
  signInAddress: string;
  kept: boolean;
  /** It held a NUL (shown as U+FFFD), so it was not kept: say why. */
  hadNul?: boolean;
  /** False when another button of the page (Pin, Regenerate…) posted the box's text: that was not done either. */
  sent?: boolean;
  theme: Theme;
}): string {
  const after = options.hadNul
    ? NUL_NOT_KEPT
    : options.kept
      ? "Sign in again and it will be back in the message box."
      : "It is not kept while you sign in: copy it first, then sign in again.";
  // The HTML parser drops the newline right after <textarea>: the text's own leading blank line stays.
  return signedOutPageHtml({
    theme: options.theme,
    signInAddress: options.signInAddress,
    textareaCss: "box-sizing:border-box;width:100%;min-height:10rem;font:inherit;padding:.5rem",
    body: `<p role="alert" data-status="signed-out">${options.sent === false ? "Your session ended before that was done, so it was not done, and the text in your message box was not sent." : "Your session ended before your message was sent, so it was not sent."} ${after}</p>
<label for="unsent-message">Your message (not sent)</label>
<textarea id="unsent-message" name="message" rows="8">
${escapeHtml(options.message)}</textarea>`,
  });
}
