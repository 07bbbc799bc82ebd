import type { ActionFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { startAuth0Login } from "~/auth/auth0.server";

// Starting a sign-in sets cookies, so it is a POST (the "Continue with Auth0" button); a GET goes to the form.
export function loader() {
  return redirect("/login");
}

export function action({ request }: ActionFunctionArgs) {
  return startAuth0Login(request);
}
