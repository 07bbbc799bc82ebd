export const THEMES = ["system", "light", "dark"] as const;
export type Theme = (typeof THEMES)[number];

export function parseTheme(value: unknown): Theme {
  return THEMES.find((theme) => theme === value) ?? "system";
}

/** Reads the theme cookie; a missing or unknown value follows the system setting. */
export function themeFromCookie(cookieHeader: string | null): Theme {
  const match = /(?:^|;\s*)theme=([a-z]+)/.exec(cookieHeader ?? "");
  return parseTheme(match?.[1]);
}
