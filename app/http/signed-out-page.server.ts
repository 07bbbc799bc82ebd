import escapeHtml from "escape-html";
import type { Theme } from "~/components/theme";

/** Why text typed while signed out is shown back but not kept: it held a NUL, which the guard showed as U+FFFD. */
export const NUL_NOT_KEPT =
  "It contains a NUL character (shown as �), which cannot be stored, so it is not kept while you sign in: copy it, remove the NUL, then sign in again.";

/**
 * The 401 page a post gets when the session ended before it arrived (a chat message, an event, a memory
 * entry): a plain document, since the app's layout needs a signed-in person. `body` is the page's own
 * explanation and the typed text to copy, already escaped; `textareaCss` sizes its boxes.
 */
export function signedOutPageHtml(options: {
  theme: Theme;
  body: string;
  signInAddress: string;
  textareaCss: string;
}): string {
  const colorScheme = options.theme === "system" ? "light dark" : options.theme;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="${colorScheme}">
<title>Signed out · ARES</title>
<style>html{color-scheme:${colorScheme}}body{margin:0 auto;max-width:40rem;padding:1rem;font-family:system-ui,sans-serif;line-height:1.5}
label{display:block;font-weight:600;margin:1rem 0 .25rem}textarea{${options.textareaCss}}
a.button{display:inline-block;margin-top:1rem;padding:.6rem 1rem;min-height:24px;border:1px solid currentColor;border-radius:.4rem}</style>
</head><body><main>
<h1>You are signed out</h1>
${options.body}
<a class="button" href="${escapeHtml(options.signInAddress)}">Sign in again</a>
</main></body></html>`;
}
