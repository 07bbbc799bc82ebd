import { redirect } from "@remix-run/node";

/** The chat settings became /settings/assistant (with memory); old links and bookmarks land there. */
export function loader() {
  return redirect("/settings/assistant", 301);
}
