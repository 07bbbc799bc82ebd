import type { ActionFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { signOut } from "~/auth/sign-out.server";

// Signing out changes state, so it is a POST (a form button in the header); a GET just goes home.
export function loader() {
  return redirect("/");
}

export async function action({ context }: ActionFunctionArgs) {
  const { user, session } = context.auth;
  if (!user) return redirect("/login");
  const setCookie = await signOut(user, session, { ip: context.clientIp, userAgent: context.userAgent });
  return redirect("/login?reason=signed_out", { headers: { "Set-Cookie": setCookie } });
}
