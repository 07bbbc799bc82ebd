import type { ActionFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { auth0LogoutUrl } from "~/auth/auth0.server";
import { signOut } from "~/auth/sign-out.server";
import { newFeedLinkCleared } from "~/calendar/feed-link.server";
import { dropKeptTexts } from "~/chat/kept-text.server";
import { clearNoticeCookie } from "~/http/notice.server";
import { clearTypedCookie } from "~/http/unsaved-form.server";

// Signing out changes state, so it is a POST (a form button in the header); a GET just goes home.
export function loader() {
  return redirect("/");
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { user, session } = context.auth;
  // A feed link made a moment ago and not yet shown leaves with the person, not with the browser (also
  // when the session already ended: the cookie outlives it).
  const feedCookie = await newFeedLinkCleared(request);
  // So does what was kept from a chat page's message box (chat/kept-text.server.ts), and a form's text
  // kept from a save after the session ended (http/unsaved-form.server.ts).
  const keptCookie = await dropKeptTexts(request, user ? user.id : context.auth.endedUserId);
  const typedCookie = await clearTypedCookie();
  if (!user) {
    const headers = new Headers({ "Set-Cookie": keptCookie });
    headers.append("Set-Cookie", typedCookie);
    if (feedCookie) headers.append("Set-Cookie", feedCookie);
    return redirect("/login", { headers });
  }
  const headers = new Headers();
  headers.append("Set-Cookie", await signOut(user, session, { ip: context.clientIp, userAgent: context.userAgent }));
  if (feedCookie) headers.append("Set-Cookie", feedCookie);
  // Auth0 keeps its own session: end it too, or "Continue with Auth0" would sign straight back in.
  const next = (session.method === "auth0" && auth0LogoutUrl(request)) || "/login?reason=signed_out";
  // A one-time notice not yet shown ("Your password has been changed") was for the person leaving.
  headers.append("Set-Cookie", await clearNoticeCookie());
  headers.append("Set-Cookie", keptCookie);
  headers.append("Set-Cookie", typedCookie);
  return redirect(next, { headers });
}
