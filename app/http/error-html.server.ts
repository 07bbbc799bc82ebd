import escapeHtml from "escape-html";

/**
 * The app's error page for answers Express gives before Remix runs (bad methods, bodies and
 * addresses): the same wording and layout as `components/error-page.tsx`, never a stack or a path.
 */

export function errorPageHtml(status: number, title: string, message: string, requestId?: unknown): string {
  const id =
    typeof requestId === "string"
      ? `<p class="error-page__id">Request id: <code>${escapeHtml(requestId)}</code></p>`
      : "";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · ARES</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;line-height:1.5}</style>
</head><body><main><section class="error-page" aria-labelledby="error-title" data-status="${status}">
<p class="error-page__status">${status}</p><h1 id="error-title">${escapeHtml(title)}</h1>
<p>${escapeHtml(message)}</p>${id}
<p><a href="/">Go to the home page</a></p></section></main></body></html>`;
}
