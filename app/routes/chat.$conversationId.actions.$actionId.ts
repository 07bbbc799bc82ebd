import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { z } from "zod";
import {
  ActionNotFoundError,
  ActionSettledError,
  actionConversation,
  decideAction,
} from "~/calendar/assistant-actions.server";
import { requireUser } from "~/auth/guards.server";
import { keepComposerText, refusalNote } from "~/chat/kept-text.server";
import { ACTION_NOT_FOUND_MESSAGE } from "~/http/refusal-text";
import { tooManyRequests } from "~/http/write-limit.server";

// POST /chat/:conversationId/actions/:actionId — Confirm, Cancel or Undo a change the assistant proposed.

const decisionSchema = z.object({ intent: z.enum(["confirm", "cancel", "undo"]) });

// A POST's 404 says why in words of its own (ACTION_NOT_FOUND_MESSAGE); a GET's is the standard one (a
// resource route's GET and HEAD 404s read as any unknown address, remix-handler.server.ts).
function notFound(method: string): never {
  throw new Response(method === "POST" ? ACTION_NOT_FOUND_MESSAGE : "Not found", { status: 404 });
}

/** My action's conversation, when it is this one; 404 for anyone else's action or a mismatched path. */
async function ownConversation(
  request: Request,
  userId: string,
  params: LoaderFunctionArgs["params"],
): Promise<string> {
  try {
    const conversationId = await actionConversation(userId, params.actionId ?? "");
    if (conversationId !== params.conversationId) notFound(request.method);
    return conversationId;
  } catch (error) {
    if (error instanceof ActionNotFoundError) notFound(request.method);
    throw error;
  }
}

/** The card lives on the conversation page. */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const conversationId = await ownConversation(request, user.id, params);
  return redirect(`/chat/${conversationId}#action-${params.actionId}`);
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  const conversationId = await ownConversation(request, user.id, params);
  if (request.method !== "POST") throw data("Use the card's buttons.", { status: 405, headers: { Allow: "POST" } });
  const form = await request.formData();
  const parsed = decisionSchema.safeParse(Object.fromEntries(form));
  if (!parsed.success) throw data("Choose Confirm, Cancel or Undo.", { status: 400 });
  const page = `/chat/${conversationId}`;
  const back = `${page}#action-${params.actionId}`;
  // The card's buttons submit the message box's form (no JS): what was typed is back in it after. Kept
  // once the decision is answered, so a failed one leaves no row behind without the marker that names it.
  // A keep that fails is said on the page (keepComposerText): the decision stands, never a 500.
  const keptHeaders = async (refusedFor?: number) => {
    const kept = context.documentRequest
      ? await keepComposerText(form, page, user.id, { hadNul: context.formHadNul, refusedFor, done: "card" })
      : null;
    return kept ? { "Set-Cookie": kept.setCookie } : undefined;
  };
  // Refused by the write limit with text in the box (rate-limit.server.ts hands only those on): nothing is
  // decided, and the page comes back with the text in its box and the wait.
  const refusedFor = context.writeRetryAfterSeconds;
  if (refusedFor !== undefined) {
    // With JS the box is never left: only the page's note is needed.
    const note = context.documentRequest ? undefined : await refusalNote(user.id, page, refusedFor);
    const headers = note ? { "Set-Cookie": note } : await keptHeaders(refusedFor);
    if (!headers) throw tooManyRequests(refusedFor);
    return redirect(back, { status: 303, headers });
  }
  try {
    await decideAction(user, params.actionId!, parsed.data.intent, {
      ip: context.clientIp,
      userAgent: context.userAgent,
    });
  } catch (error) {
    if (error instanceof ActionNotFoundError) notFound(request.method);
    // Already decided, or too late (a second tab, a resent form): the card shows where it stands and why
    // nothing changed.
    if (error instanceof ActionSettledError) {
      const refused = new URLSearchParams({ action: params.actionId!, refused: error.reason });
      return redirect(`${page}?${refused.toString()}#action-${params.actionId}`, {
        status: 303,
        headers: await keptHeaders(),
      });
    }
    throw error;
  }
  // 303: the page is fetched with GET, whatever the method of the form that decided.
  return redirect(back, { status: 303, headers: await keptHeaders() });
}
