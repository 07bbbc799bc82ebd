import { useEffect, useState } from "react";

/** Fired by error boundaries when a request could not reach the server. */
const REQUEST_FAILED_EVENT = "ares:request-failed";

export function reportRequestFailure(): void {
  window.dispatchEvent(new Event(REQUEST_FAILED_EVENT));
}

/** Tells the person when the browser is offline or ARES cannot be reached; needs JS, as offline does. */
export function OfflineBanner() {
  const [offline, setOffline] = useState(false);

  useEffect(() => {
    setOffline(!navigator.onLine);
    const goOffline = () => setOffline(true);
    const goOnline = () => setOffline(false);
    window.addEventListener("offline", goOffline);
    window.addEventListener("online", goOnline);
    window.addEventListener(REQUEST_FAILED_EVENT, goOffline);
    return () => {
      window.removeEventListener("offline", goOffline);
      window.removeEventListener("online", goOnline);
      window.removeEventListener(REQUEST_FAILED_EVENT, goOffline);
    };
  }, []);

  if (!offline) return null;
  return (
    <div className="offline-banner" role="status">
      ARES cannot be reached right now — check your connection. Nothing you typed has been lost.
      <button type="button" onClick={() => window.location.reload()}>
        Try again
      </button>
    </div>
  );
}
