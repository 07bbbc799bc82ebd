import type { NextFunction, Request, Response } from "express";
import { publicOrigin } from "./allowed-hosts.server";
import { sendClientError } from "./client-error.server";
import { NOT_ALLOWED_TITLE } from "./refusal-text";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Refuses state-changing requests that another site's page sent (CSRF): the browser's Origin header
 * (or, without one, Sec-Fetch-Site) must say the request came from this site. SameSite=Lax cookies are
 * the second line of defence. Requests with neither header (curl, service clients) pass: they carry no
 * ambient browser credentials.
 */
export function refuseCrossSiteWrites(req: Request, res: Response, next: NextFunction): void {
  if (SAFE_METHODS.has(req.method)) return next();
  const origin = req.get("origin");
  const fetchSite = req.get("sec-fetch-site");
  // As a browser writes it: lower case, no default port (refuseInvalidHost has made sure there is one).
  const ownOrigin = publicOrigin(req)?.origin;
  const crossSite = origin ? origin !== ownOrigin : fetchSite === "cross-site";
  if (!crossSite) return next();
  sendClientError(req, res, {
    status: 403,
    code: "cross_site",
    // The page's title with JavaScript too (error-page.tsx titles every 403 so).
    title: NOT_ALLOWED_TITLE,
    message: "Cross-site form submissions are not accepted.",
  });
}
