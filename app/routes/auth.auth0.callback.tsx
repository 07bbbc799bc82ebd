import type { LoaderFunctionArgs } from "@remix-run/node";
import { finishAuth0Login } from "~/auth/auth0.server";

// Auth0 sends the browser back here with `code` and `state` (or `error`) after the sign-in.
export function loader({ request, context }: LoaderFunctionArgs) {
  return finishAuth0Login(request, { ip: context.clientIp, userAgent: context.userAgent });
}
