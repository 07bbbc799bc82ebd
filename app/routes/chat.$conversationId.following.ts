import { redirect, type LoaderFunctionArgs } from "@remix-run/node";
import { requireUser } from "~/auth/guards.server";
import { followingPageHtml } from "~/chat/following-page.server";
import { themeFromCookie } from "~/components/theme";
import stylesheet from "~/styles/app.css?url";

// GET /chat/:conversationId/following?message=<id> — without JS, the conversation page shows the reply
// being written in a frame of this page, which reloads itself until the reply ends.
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const query = new URL(request.url).searchParams;
  // The frame's "Show the conversation" (target=_top) comes here first: a link straight to the page the
  // person is on (`/chat/<id>#latest`) would only scroll to the anchor, not load the finished reply.
  if (query.get("show") !== null) return redirect(`/chat/${encodeURIComponent(params.conversationId ?? "")}#latest`);
  const messageId = query.get("message") ?? "";
  const html = messageId
    ? await followingPageHtml({
        userId: user.id,
        conversationId: params.conversationId ?? "",
        messageId,
        stylesheet,
        theme: themeFromCookie(request.headers.get("Cookie")),
      })
    : null;
  // Someone else's reply looks exactly like one that does not exist.
  if (html === null) throw new Response("Not found", { status: 404 });
  return new Response(html, { headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" } });
}
