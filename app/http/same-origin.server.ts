import type { NextFunction, Request, Response } from "express";

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
  const ownOrigin = `${req.protocol}://${req.get("host")}`;
  const crossSite = origin ? origin !== ownOrigin : fetchSite === "cross-site";
  if (!crossSite) return next();
  res.status(403).type("text/plain").send("Cross-site form submissions are not accepted.");
}
