import type { NextFunction, Request, Response } from "express";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * The host (with port) the browser used: X-Forwarded-Host when a trusted proxy set it, as Express's
 * req.hostname and Remix's request URL read it, else Host.
 */
function publicHost(req: Request): string | undefined {
  const trusted = req.app.get("trust proxy fn") as (address: string | undefined, hop: number) => boolean;
  const forwarded = trusted(req.socket.remoteAddress, 0) ? req.get("x-forwarded-host") : undefined;
  return forwarded?.split(",")[0]?.trim() || req.get("host");
}

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
  const ownOrigin = `${req.protocol}://${publicHost(req)}`;
  const crossSite = origin ? origin !== ownOrigin : fetchSite === "cross-site";
  if (!crossSite) return next();
  res.status(403).type("text/plain").send("Cross-site form submissions are not accepted.");
}
