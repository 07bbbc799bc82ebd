import type { ShouldRevalidateFunction } from "@remix-run/react";

/**
 * For an event's edit and delete pages. A 409 (the event changed since the form was loaded, or its date is
 * gone) reads the event again: with JS a refused action is not followed by its loaders, and the page must
 * show the event as it is now and carry its current version, so that acting again does so on purpose
 * instead of being refused again. So does a 400 for an altered form (its version or occurrence malformed).
 */
export const revalidateStaleEventForm: ShouldRevalidateFunction = ({
  actionStatus,
  actionResult,
  defaultShouldRevalidate,
}) =>
  actionStatus === 409 ||
  (typeof actionResult === "object" && actionResult !== null && "altered" in actionResult) ||
  defaultShouldRevalidate;
