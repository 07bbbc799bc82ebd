import type { ActionFunctionArgs } from "@remix-run/node";
import { summarizeConversation } from "~/memory/summaries.server";

/**
 * Exists only for tests (ARES_TEST_ROUTES=1): runs the summary and extraction the jobs queue will run
 * for an idle conversation, so e2e specs can fill the review queue. Everyone else gets a 404.
 */
export async function action({ params }: ActionFunctionArgs) {
  if (process.env.ARES_TEST_ROUTES !== "1") throw new Response("Not found", { status: 404 });
  return Response.json(await summarizeConversation(params.conversationId ?? ""));
}

export function loader() {
  throw new Response("Not found", { status: 404 });
}
