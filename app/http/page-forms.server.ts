import type { Request } from "express";
import { routePath } from "./route-path.server";

/**
 * The form posts whose page answers a refusal itself (write-limit.server.ts `refusedFormReply`): the chat
 * pages (new chat, a conversation), memory, a new event and an event's edit form, and the settings forms
 * with text typed in them (profile, assistant, your data, password), as document POST or Remix's `.data`.
 * Refused by a rate limit or holding a NUL, such a post goes on to its page, which answers with its form
 * as sent and the reason (a bare 4xx page lost what was typed). Only these exact spellings, which Remix
 * routes to those actions, each of which refuses every intent when told so; any other keeps the bare page.
 */
const PAGE_FORM_ADDRESS =
  /^\/(chat(\/[A-Za-z0-9_-]+)?|memory|calendar\/new|calendar\/events\/[A-Za-z0-9_-]+\/edit|settings\/(profile|assistant|data|password)|reset-password\/new)(\.data)?$/;

export const isPageFormPost = (req: Request) => req.method === "POST" && PAGE_FORM_ADDRESS.test(req.path);

/**
 * Posts of buttons that submit a chat page's message box form to another action (no JS): the theme
 * switch and a calendar card's Confirm, Cancel or Undo. The box's text may hold a NUL, though what they do
 * stores none of it: the post goes on with U+FFFD in the NUL's place (marked as a page form's is), so the
 * button does its thing and the text is kept, instead of a bare 400 page — in the fields typed into
 * (COMPOSER_TYPED_FIELDS) only: a NUL anywhere else (the theme, where to go, the card's intent) is refused
 * as in any other form.
 */
export const carriesComposerText = (req: Request) =>
  req.method === "POST" && /^\/(theme|chat\/[A-Za-z0-9_-]+\/actions\/[A-Za-z0-9_-]+)(\.data)?$/.test(req.path);

/** The fields of the box's form a person types into: the message, and the title of an open rename panel. */
export const COMPOSER_TYPED_FIELDS: ReadonlySet<string> = new Set(["message", "title"]);

/** Set by the body guard on a page form post that held a NUL, now replaced (body-guard.server.ts). */
export const BAD_TEXT_LOCAL = "formHadNul";

/**
 * The page form posts whose page says itself that the body is too large (the calendar's import: "import at
 * most 2 MB"), as document POST or Remix's `.data`. The body guard hands them on without the body, marked
 * (BODY_TOO_LARGE_LOCAL), instead of its bare 413 page.
 */
// By the route Remix will match (its spellings "/Calendar", "/calendar/" too), as the size limit is chosen.
export const answersTooLargeItself = (req: Request) => req.method === "POST" && routePath(req).path === "/calendar";

/** Set by the body guard on such a post whose body was over its limit (body-guard.server.ts). */
export const BODY_TOO_LARGE_LOCAL = "bodyTooLarge";
