import { useNavigation } from "@remix-run/react";

/** A thin bar at the top of the page while a navigation or form submission is under way (JS only). */
export function PendingIndicator() {
  const navigation = useNavigation();
  const busy = navigation.state !== "idle";
  return (
    <div
      className={busy ? "pending-bar pending-bar--active" : "pending-bar"}
      role="progressbar"
      aria-label={navigation.state === "submitting" ? "Saving" : "Loading"}
      aria-hidden={!busy}
      aria-busy={busy}
      data-state={navigation.state}
    />
  );
}
