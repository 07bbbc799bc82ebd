import { createCookie, type Cookie } from "@remix-run/node";
import { config } from "~/config/env.server";

/**
 * A cookie only the server reads and only it can have written: httpOnly, SameSite=Lax, Secure in
 * production, signed with the session secrets (the first signs, every one verifies, so secrets rotate).
 * Made per use: it follows the configuration (tests change it between servers).
 */
export function signedCookie(name: string, options: { maxAgeSeconds?: number; path?: string } = {}): Cookie {
  const { sessionSecrets, mode } = config();
  return createCookie(name, {
    httpOnly: true,
    sameSite: "lax",
    secure: mode === "production",
    path: options.path ?? "/",
    ...(options.maxAgeSeconds === undefined ? {} : { maxAge: options.maxAgeSeconds }),
    secrets: sessionSecrets,
  });
}
