/**
 * What a 403 page says, shared by the server's refusals (guards, the Remix handler, the cross-site check)
 * and the error boundary that renders them in the browser, so that a refusal reads the same with and
 * without JavaScript.
 */
export const NOT_ALLOWED_TITLE = "Not allowed";

/** Why an admin page refuses someone else, and what a 403 says when it carries no reason of its own. */
export const NO_ACCESS_MESSAGE = "Your account does not have access to this page.";

/** A refusal's own text is shown up to this length; a longer one is not a reason written for people. */
export const SHOWN_REASON_MAX_LENGTH = 300;
