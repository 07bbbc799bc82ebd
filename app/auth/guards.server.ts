import type { AppLoadContext } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { NO_ACCESS_MESSAGE } from "~/http/refusal-text";
import { clearSessionCookie } from "~/sessions/cookie.server";
import type { SessionEndReason, SessionUser } from "~/sessions/types";

function loginUrl(request: Request, reason: SessionEndReason | undefined): string {
  const url = new URL(request.url);
  const params = new URLSearchParams({ redirectTo: `${url.pathname.replace(/\.data$/, "")}${url.search}` });
  if (reason && reason !== "unknown") params.set("reason", reason);
  return `/login?${params}`;
}

/** The signed-in user, or a redirect to the login page that brings them back here afterwards. */
export async function requireUser(request: Request, context: AppLoadContext): Promise<SessionUser> {
  const { auth } = context;
  if (auth.user) return auth.user;
  const headers = auth.ended ? { "Set-Cookie": await clearSessionCookie() } : undefined;
  throw redirect(loginUrl(request, auth.ended), { headers });
}

/** An admin, or a 403 that renders the friendly "not allowed" page. */
export async function requireAdmin(request: Request, context: AppLoadContext): Promise<SessionUser> {
  const user = await requireUser(request, context);
  if (user.role !== "admin") throw new Response(NO_ACCESS_MESSAGE, { status: 403 });
  return user;
}

/** Where the person is sent when they are already signed in and open the login or signup page. */
export function redirectIfSignedIn(context: AppLoadContext, to = "/"): void {
  if (context.auth.user) throw redirect(to);
}
