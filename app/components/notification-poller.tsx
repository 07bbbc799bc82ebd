import { useRevalidator, useRouteLoaderData } from "@remix-run/react";
import { useEffect } from "react";

const POLL_MS = 20_000;

/**
 * With JS, new notifications arrive without a reload: every 20 s (while the tab is visible, so an
 * idle background tab does not keep its session alive) the unread count is asked for, and the page's
 * data is refreshed when it changed. Without JS the bell updates on the next page.
 */
export function NotificationPoller({ signedIn }: { signedIn: boolean }) {
  const revalidator = useRevalidator();
  const root = useRouteLoaderData<{ unreadNotifications?: number }>("root");
  const shown = root?.unreadNotifications ?? 0;
  useEffect(() => {
    if (!signedIn) return;
    const controller = new AbortController();
    const timer = window.setInterval(() => {
      if (document.visibilityState !== "visible" || revalidator.state !== "idle") return;
      fetch("/notifications/unread", { signal: controller.signal, headers: { Accept: "application/json" } })
        .then((response) => (response.ok ? (response.json() as Promise<{ unread: number }>) : null))
        .then((body) => {
          if (body && body.unread !== shown) revalidator.revalidate();
        })
        .catch(() => {
          // Offline or signed out meanwhile: the next page load shows the truth.
        });
    }, POLL_MS);
    return () => {
      controller.abort();
      window.clearInterval(timer);
    };
  }, [signedIn, shown, revalidator]);
  return null;
}
