import type { ActionFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { safeRedirectTo } from "~/auth/redirect-to";
import { parseTheme } from "~/components/theme";

const ONE_YEAR_SECONDS = 365 * 24 * 60 * 60;

// POST /theme — keeps light/dark/system in a cookie so the server paints the right theme first time.
export async function action({ request }: ActionFunctionArgs) {
  const form = await request.formData();
  const theme = parseTheme(form.get("theme"));
  const cookie =
    theme === "system"
      ? "theme=; Path=/; Max-Age=0; SameSite=Lax"
      : `theme=${theme}; Path=/; Max-Age=${ONE_YEAR_SECONDS}; SameSite=Lax`;
  return redirect(safeRedirectTo(form.get("redirectTo")?.toString() ?? "/"), { headers: { "Set-Cookie": cookie } });
}

export function loader() {
  return redirect("/");
}
