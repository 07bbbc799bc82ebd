import type { ActionFunctionArgs } from "@remix-run/node";
import { summarizeConversation } from "~/memory/summaries.server";

/**
 * Exists only in the test build (scripts/build.ts --test; the production build leaves test-only.* out):
 * runs the summary and extraction the jobs queue will run for an idle conversation, so tests can fill
 * the review queue.
 */
export async function action({ params }: ActionFunctionArgs) {
  return Response.json(await summarizeConversation(params.conversationId ?? ""));
}

export function loader() {
  throw new Response("Not found", { status: 404 });
}
