const BASE = "http://ares.invalid";

/**
 * Keeps post-login redirects on this site: only a local path is accepted, resolved the way a browser
 * would (browsers drop tabs and newlines, so "/\t/evil.example" means "//evil.example"), and handed
 * back as path, query and fragment only.
 */
export function safeRedirectTo(value: FormDataEntryValue | string | null | undefined, fallback = "/"): string {
  if (typeof value !== "string" || !value.startsWith("/")) return fallback;
  // Control characters and backslashes have no place in a local path; browsers rewrite both.
  for (const character of value) {
    const code = character.charCodeAt(0);
    if (code < 0x20 || code === 0x7f || character === "\\") return fallback;
  }
  let url: URL;
  try {
    url = new URL(value, BASE);
  } catch {
    return fallback;
  }
  if (url.origin !== BASE) return fallback;
  return `${url.pathname}${url.search}${url.hash}`;
}
