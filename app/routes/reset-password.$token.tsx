import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { resetLinkState } from "~/admin/password-reset.server";
import { redirectToResetForm } from "~/admin/reset-link-cookie.server";
import { PASSWORDS_OFF, unusableLink } from "~/admin/reset-link-messages.server";
import { ResetPasswordProblem } from "~/components/reset-password-problem";
import { config } from "~/config/env.server";

export const meta: MetaFunction = () => [{ title: "Set a new password · ARES" }];

/**
 * The link an admin handed over. A working one moves its token into a cookie and redirects to the form
 * (/reset-password/new, reset-link-cookie.server.ts): the token leaves the address bar and the back/forward list at once.
 * The page is the same whoever is signed in: the link is for its account, not for this browser's.
 */
export async function loader({ params }: LoaderFunctionArgs) {
  if (!config().localLogin) return data({ problem: PASSWORDS_OFF }, { status: 404 });
  const token = params.token ?? "";
  const link = await resetLinkState(token);
  if (link.state === "valid") return redirectToResetForm(token, link.expiresAt);
  const { problem, status } = unusableLink(link.state);
  return data({ problem }, { status });
}

export default function ResetLink() {
  return <ResetPasswordProblem problem={useLoaderData<typeof loader>().problem} />;
}
