import type { ActionFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { safeRedirectTo } from "~/auth/redirect-to";
import { keepComposerTextFor, refusalNote } from "~/chat/kept-text.server";
import { parseTheme } from "~/components/theme";
import { config } from "~/config/env.server";
import { tooManyRequests } from "~/http/write-limit.server";

const ONE_YEAR_SECONDS = 365 * 24 * 60 * 60;

// POST /theme — keeps light/dark/system in a cookie so the server paints the right theme first time.
export async function action({ request, context }: ActionFunctionArgs) {
  const form = await request.formData();
  const to = safeRedirectTo(form.get("redirectTo")?.toString() ?? "/");
  const user = context.auth.user;
  // Refused by the write limit with text in a chat page's box (rate-limit.server.ts hands only those on):
  // the theme stays as it was, and the page comes back with the text in its box and the wait.
  const refusedFor = context.writeRetryAfterSeconds;
  if (refusedFor !== undefined) {
    // With JS the box is never left: only the page's note is needed.
    const kept = !user
      ? { cookie: null, to }
      : context.documentRequest
        ? await keepComposerTextFor(form, to, user.id, { refusedFor, hadNul: context.formHadNul }).then((done) => ({
            cookie: done.kept?.setCookie ?? null,
            to: done.to,
          }))
        : { cookie: await refusalNote(user.id, to, refusedFor), to };
    if (!kept.cookie) throw tooManyRequests(refusedFor);
    return redirect(kept.to, { status: 303, headers: { "Set-Cookie": kept.cookie } });
  }
  const theme = parseTheme(form.get("theme"));
  // Only the server reads it (it paints the first page), so no script needs it; like every other cookie
  // ARES sets, production sends it over HTTPS only.
  const flags = `Path=/; HttpOnly; SameSite=Lax${config().mode === "production" ? "; Secure" : ""}`;
  const cookie =
    theme === "system" ? `theme=; Max-Age=0; ${flags}` : `theme=${theme}; Max-Age=${ONE_YEAR_SECONDS}; ${flags}`;
  const headers = new Headers({ "Set-Cookie": cookie });
  // On a conversation the switch submits the message box's form (no JS): what was typed is back in it
  // (a NUL in it arrives as U+FFFD, as the box shows one: carriesComposerText; the page says so).
  // A conversation gone meanwhile (or the 404 page of one): back to the new-chat page, the text in its box.
  const kept =
    user && context.documentRequest
      ? await keepComposerTextFor(form, to, user.id, { hadNul: context.formHadNul, done: "theme" })
      : { kept: null, to };
  if (kept.kept) headers.append("Set-Cookie", kept.kept.setCookie);
  return redirect(kept.to, { headers });
}

export function loader() {
  return redirect("/");
}
