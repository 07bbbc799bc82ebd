/**
 * What a 404 and a 403 page say, shared by the server's refusals (guards, the Remix handler, the cross-site check)
 * and the error boundary that renders them in the browser, so that a refusal reads the same with and
 * without JavaScript.
 */
export const NOT_ALLOWED_TITLE = "Not allowed";

/** Why an admin page refuses someone else, and what a 403 says when it carries no reason of its own. */
export const NO_ACCESS_MESSAGE = "Your account does not have access to this page.";

/** A refusal's own text is shown up to this length; a longer one is not a reason written for people. */
export const SHOWN_REASON_MAX_LENGTH = 300;

/** A 404 page's title and words: a page's own (error-page.tsx), and a resource route's (a download, an export). */
export const NOT_FOUND_TITLE = "Page not found";
export const NOT_FOUND_MESSAGE = "There is nothing at this address. It may have moved, or the link may be mistyped.";

/**
 * A calendar card's Confirm, Cancel or Undo (a POST) of a change that is not there: gone with its conversation,
 * or someone else's (the same words for both). Its page's heading and words, with JS (the conversation page's
 * boundary) and without (the Remix handler's page), instead of "Page not found / There is nothing at this
 * address": the address was the card's button, not a link. A GET of that address is an ordinary 404.
 */
export const ACTION_NOT_FOUND_TITLE = "Change not found";
export const ACTION_NOT_FOUND_MESSAGE =
  "This change is not there to confirm, cancel or undo: its conversation may have been deleted, in another tab or on another device.";
