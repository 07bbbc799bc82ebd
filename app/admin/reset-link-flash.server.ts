import { redirect } from "@remix-run/node";
import { signedCookie } from "~/http/signed-cookie.server";

/**
 * The link "Reset password" made, carried across the action's redirect (Post/Redirect/Get) and shown once:
 * answering the post with the page itself let a reload (or Back and Forward without JS) post again, making a
 * new link that silently ended the one already handed over. The token never rides in the address (it
 * would be logged and kept in history); this cookie is httpOnly, signed, lives a minute, is sent only to
 * the admin's user pages (`/admin/users`, which also covers their `.data` requests with JS) and is cleared
 * by the page that shows it.
 */
const RESET_LINK_COOKIE = "__ares_reset_link";

type StoredLink = { admin: string; target: string; url: string; expires: string };

function resetLinkCookie() {
  return signedCookie(RESET_LINK_COOKIE, { maxAgeSeconds: 60, path: "/admin/users" });
}

function isStoredLink(value: unknown): value is StoredLink {
  if (typeof value !== "object" || value === null) return false;
  const { admin, target, url, expires } = value as Record<string, unknown>;
  return [admin, target, url, expires].every((field) => typeof field === "string");
}

/** A 303 to the person's page, which shows `link` once to this admin. */
export async function redirectWithResetLink(to: string, link: StoredLink): Promise<Response> {
  return redirect(to, { status: 303, headers: { "Set-Cookie": await resetLinkCookie().serialize(link) } });
}

/** The link waiting for this admin on this person's page, taken once, and the headers that clear it. */
export async function takeResetLink(
  request: Request,
  adminId: string,
  targetId: string,
): Promise<{ resetLink: { url: string; expires: string } | null; headers: Headers }> {
  const headers = new Headers();
  const cookieHeader = request.headers.get("cookie");
  if (!cookieHeader?.includes(`${RESET_LINK_COOKIE}=`)) return { resetLink: null, headers };
  const value: unknown = await resetLinkCookie().parse(cookieHeader);
  // Another person's page (a parallel tab) leaves it for the page it is for.
  if (isStoredLink(value) && value.admin === adminId && value.target !== targetId) return { resetLink: null, headers };
  headers.append("Set-Cookie", await resetLinkCookie().serialize("", { maxAge: 0, expires: new Date(0) }));
  if (!isStoredLink(value) || value.admin !== adminId) return { resetLink: null, headers };
  return { resetLink: { url: value.url, expires: value.expires }, headers };
}
