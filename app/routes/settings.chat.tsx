import { redirect } from "@remix-run/node";

/** The chat settings became /settings/assistant (with memory); old links and bookmarks land there. */
export function loader() {
  return redirect("/settings/assistant", 301);
}

/** A form still open on the old page posts to the new one, with what was typed (308 keeps the POST). */
export function action() {
  return redirect("/settings/assistant", 308);
}
