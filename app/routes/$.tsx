import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { requireUser } from "~/auth/guards.server";
import { ErrorPage } from "~/components/error-page";

// Every unmatched address lands here so that the 404 renders inside the app's layout. Anonymous
// visitors are sent to sign in first: which addresses exist is nobody else's business. (An unknown /api
// address never gets here: it is a 404 problem for anyone, app/http/unknown-api-address.server.ts.)
export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireUser(request, context);
  throw new Response("Not found", { status: 404 });
}

// A form or API call sent to an address that does not exist is a 404 too, not "method not allowed".
export async function action({ request, context }: ActionFunctionArgs) {
  await requireUser(request, context);
  throw new Response("Not found", { status: 404 });
}

export default function NotFound() {
  return null;
}

export function ErrorBoundary() {
  return <ErrorPage />;
}
