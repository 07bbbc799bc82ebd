import escapeHtml from "escape-html";
import { prisma } from "~/db/db.server";
import { liveContent } from "./generation.server";
import { replyHtml } from "./reply-html.server";
import type { Theme } from "~/components/theme";

/** How often the page of a reply still being written reloads itself (it is the only thing that reloads). */
const REFRESH_SECONDS = 2;

const ENDED: Record<string, string> = {
  complete: "The reply is complete.",
  aborted: "Stopped — the reply is as far as it got.",
  error: "The reply could not be finished.",
};

const FOLLOWING_ADDRESS = /^\/chat\/[^/]+\/following$/;

/**
 * The conversation's address (`/chat/<id>`, its id as sent) when `route` — the path Remix routes, decoded,
 * lower case, no trailing slash — is a conversation's following frame; else null.
 */
export function followingFrameConversation(route: string, sentPath: string): string | null {
  if (!FOLLOWING_ADDRESS.test(route)) return null;
  return `/chat/${sentPath.split("/")[2] ?? ""}`;
}

/**
 * What the following frame shows once the session is gone (signed out elsewhere, expired, revoked): a
 * line and a link that signs in again in the whole window (target="_top"), rather than a whole sign-in
 * page squeezed into the frame, whose form would then sign in inside it.
 */
export function followingSignedOutHtml(signInAddress: string, theme: Theme): string {
  // The frame's colour scheme must be the page's (the person's theme): where they differ, browsers paint
  // the frame opaque, a light box in a dark conversation.
  const colorScheme = theme === "system" ? "light dark" : theme;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="${colorScheme}">
<title>Signed out · ARES</title>
<style>html,body{margin:0;background:transparent;color:CanvasText;color-scheme:${colorScheme};font-family:system-ui,sans-serif;line-height:1.5}p{margin:0;padding:0 .25rem}</style>
</head><body><p role="status" data-status="signed-out">You are signed out, so the reply cannot be shown here.
<a href="${escapeHtml(signInAddress)}" target="_top">Sign in again</a></p></body></html>`;
}

/**
 * The no-JS way to follow a reply being written: a small page of its own, shown in a frame on the
 * conversation page (inside <noscript>). It reloads itself until the reply ends, so the conversation
 * page never reloads under what the person is typing; then a link (target="_top") shows the
 * conversation. Null for a message that is not the person's, or not in this conversation.
 */
export async function followingPageHtml(options: {
  userId: string;
  conversationId: string;
  messageId: string;
  stylesheet: string;
  theme: string;
}): Promise<string | null> {
  const { userId, conversationId, messageId } = options;
  const message = await prisma.message.findFirst({
    where: { id: messageId, userId, conversationId },
    select: { id: true, role: true, status: true, content: true, html: true, htmlVersion: true },
  });
  if (!message) return null;
  const writing = message.status === "streaming";
  // Same-process replies are read from memory: the database copy is written in beats.
  const content = (writing ? liveContent(message.id) : undefined) ?? message.content;
  const html = replyHtml({ ...message, content }) ?? `<p>${escapeHtml(content)}</p>`;
  const conversation = `/chat/${encodeURIComponent(conversationId)}/following?show`;
  const end = writing
    ? `<p class="generating" role="status">Generating…</p>`
    : `<p role="status">${ENDED[message.status] ?? ENDED.complete} <a href="${escapeHtml(conversation)}" target="_top">Show the conversation</a></p>`;
  // The newest text stays in view: a column-reverse box opens scrolled to its end, with no fragment
  // jump (which could scroll the conversation page around the box being typed in).
  return `<!doctype html>
<html lang="en" data-theme="${escapeHtml(options.theme)}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${writing ? `<meta http-equiv="refresh" content="${REFRESH_SECONDS}">` : ""}
<title>The reply as it is written · ARES</title>
<link rel="stylesheet" href="${escapeHtml(options.stylesheet)}">
<style>html,body{height:100%;margin:0;background:transparent}body{display:flex;flex-direction:column-reverse;overflow-y:auto}.following{margin-bottom:auto;padding:0 .25rem}</style>
</head><body><div class="following" data-status="${escapeHtml(message.status)}">
<div class="message__body markdown${writing ? " streaming" : ""}">${html}</div>
${end}
</div></body></html>`;
}
