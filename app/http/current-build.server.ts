import type { RequestHandler } from "express";
import type { ServerBuild } from "@remix-run/node";

/** Production/local: the built server bundle. Development: Vite serves and rebuilds it. */
export type BuildSource = ServerBuild | (() => Promise<ServerBuild>);

export type CurrentBuild = {
  /** The build as last loaded; undefined in development until the first load. */
  current: () => ServerBuild | undefined;
  /** Loads the build (development: Vite's current one) and remembers it: what Remix is handed. */
  load: () => Promise<ServerBuild>;
  /**
   * Development: loads the build before the checks that decide by route (405, the unknown-/api 404),
   * so a route added while `npm run dev` runs is known to them at once. They used the build the last
   * request to reach Remix had loaded, and answered a new /api route 404 until a page was opened.
   * Vite caches the module, so this is cheap; production's build never changes and this does nothing.
   */
  refresh: RequestHandler;
};

export function currentBuildOf(source: BuildSource): CurrentBuild {
  if (typeof source !== "function") {
    return { current: () => source, load: () => Promise.resolve(source), refresh: (_req, _res, next) => next() };
  }
  let current: ServerBuild | undefined;
  const load = async () => (current = await source());
  return {
    current: () => current,
    load,
    // A build that does not load (a syntax error being typed) is left to Remix's handler, which shows it.
    refresh: (_req, _res, next) =>
      void load().then(
        () => next(),
        () => next(),
      ),
  };
}
