import type { ActionFunctionArgs } from "@remix-run/node";
import { problem } from "~/http/problem.server";
import { receiveWebhookUpdate, webhookRefusal } from "~/telegram/bot.server";

/** What this address takes: every other method's 405 (and OPTIONS) lists only POST (route-template.server.ts). */
export const methods = ["POST"];

const IN_PROGRESS_RETRY_SECONDS = 30;

/** Telegram POSTs each update here (webhook mode: PUBLIC_URL set) with the secret ARES registered. */
export async function action({ request }: ActionFunctionArgs) {
  if (request.method !== "POST")
    throw problem(405, "method_not_allowed", "Use POST", { headers: { Allow: methods.join(", ") } });
  const refusal = webhookRefusal(request.headers.get("X-Telegram-Bot-Api-Secret-Token") ?? undefined);
  if (refusal) throw problem(refusal.status, refusal.code, refusal.title);
  let update: unknown;
  try {
    update = await request.json();
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    throw problem(400, "invalid_json", "The request body is not valid JSON");
  }
  const outcome = await receiveWebhookUpdate(update);
  if (!outcome) throw problem(404, "not_found", "Telegram webhooks are not enabled here");
  // Being handled by another delivery (or by a process that went away with it): never 200, which would
  // tell Telegram it is done. Telegram tries again; a stale claim is then taken over.
  if (outcome === "in_progress")
    throw problem(503, "in_progress", "This update is being handled; try again later", {
      headers: { "Retry-After": String(IN_PROGRESS_RETRY_SECONDS) },
    });
  return Response.json({ ok: true, outcome });
}

export function loader() {
  throw problem(405, "method_not_allowed", "Use POST", { headers: { Allow: methods.join(", ") } });
}
