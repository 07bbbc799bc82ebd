import type { ResetLinkState } from "./password-reset.server";

/** Why a reset link opens no form, in words for the person holding it. */
const UNUSABLE: Record<Exclude<ResetLinkState["state"], "valid">, string> = {
  expired:
    "This link has expired: links to set a new password work for one hour. Ask your administrator for a new one.",
  used: "This link has already been used: each works once. If you did not set a new password with it, ask your administrator for a new link.",
  // Every reason it can be: mistyped, replaced by a newer link, or ended with the account's sign-ins (a
  // password change, "sign out everywhere else", the account disabled), which deletes unused links.
  unknown:
    "This link does not work (any more): it may be mistyped, or it was replaced or cancelled since it was made. Ask your administrator for a new one.",
};

/** The form's page without a link opened in this browser (never opened, or the hour it works is over). */
export const NO_LINK =
  "Open the link your administrator gave you to set a new password. A link works for one hour: if yours is older, ask for a new one.";

/** With LOCAL_LOGIN=false a password signs no one in: a link to set one would only mislead. */
export const PASSWORDS_OFF =
  "Password sign-in is turned off on this server: there is no password to set. Sign in as your administrator tells you.";

/**
 * A link that opens no form, as its page answers it: an unknown token is a 404 like any id that is not there
 * (nothing tells a guess from a replaced link); one that was real but expired or was used is gone: 410.
 */
export function unusableLink(state: Exclude<ResetLinkState["state"], "valid">): { problem: string; status: 404 | 410 } {
  return { problem: UNUSABLE[state], status: state === "unknown" ? 404 : 410 };
}
