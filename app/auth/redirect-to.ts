const ORIGIN = "http://ares.invalid";

/**
 * Keeps post-sign-in redirects on this site. The target is parsed as a browser would
 * (`new URL(target, origin)`), only a same-origin result is accepted, and the parsed path — not the
 * string that came in — is handed back. URL normalisation can turn a harmless-looking path into one a
 * browser reads as another host (`/.//evil.example` → `//evil.example`), so the result is parsed once
 * more and must still be ours.
 */
export function safeRedirectTo(value: FormDataEntryValue | string | null | undefined, fallback = "/"): string {
  if (typeof value !== "string" || !value.startsWith("/")) return fallback;
  // Control characters and backslashes have no place in a local path; browsers rewrite both.
  for (const character of value) {
    const code = character.charCodeAt(0);
    if (code < 0x20 || code === 0x7f || character === "\\") return fallback;
  }
  const path = sameOriginPath(value);
  if (path === undefined || sameOriginPath(path) !== path || looksLikeAnotherHost(path)) return fallback;
  return path;
}

/** `//host` or, once a later hop decodes it, `/%2F%2Fhost` / `/%5Chost`: never a page of ours. */
function looksLikeAnotherHost(path: string): boolean {
  let decoded = path;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return true;
  }
  return /^\/[/\\]/.test(path) || /^\/[/\\]/.test(decoded);
}

function sameOriginPath(target: string): string | undefined {
  let url: URL;
  try {
    url = new URL(target, ORIGIN);
  } catch {
    return undefined;
  }
  if (url.origin !== ORIGIN) return undefined;
  return `${url.pathname}${url.search}${url.hash}`;
}
