import type { Request, RequestHandler } from "express";
import { sendClientError } from "./client-error.server";
import { routePath } from "./route-path.server";

// Orchestrators and Prometheus reach these by container name or IP, never by the public host name.
const ANY_HOST = /^\/(api\/v1\/health(\/.*)?|metrics)$/;

const origins = new WeakMap<Request, URL | null>();

/**
 * The scheme and host (with port) the browser used: X-Forwarded-Proto and the first X-Forwarded-Host
 * only from a proxy `trust proxy` trusts, else the connection's scheme and Host. Null when they name no
 * address (a port past 65535, a space, an unclosed IPv6 bracket, a scheme other than http or https): no
 * request URL can be made of them. The one reading of these headers for the Remix request, the
 * allowed-hosts check and the same-origin check.
 */
export function publicOrigin(req: Request): URL | null {
  // Read once per request: the host checks, the same-origin check and the Remix request all ask.
  if (!origins.has(req)) origins.set(req, readPublicOrigin(req));
  return origins.get(req) ?? null;
}

function readPublicOrigin(req: Request): URL | null {
  const trusted = req.app.get("trust proxy fn") as (address: string | undefined, hop: number) => boolean;
  const forwarded = trusted(req.socket.remoteAddress, 0) ? req.get("x-forwarded-host") : undefined;
  // An HTTP/1.0 request may carry no Host at all (some load balancers' health checks): it named nothing.
  const host = forwarded?.split(",")[0]?.trim() || req.get("host") || "localhost";
  // A proxy may write the scheme in capitals ("HTTPS"); Express passes X-Forwarded-Proto on as it is.
  const protocol = req.protocol.toLowerCase();
  if (protocol !== "http" && protocol !== "https") return null;
  // Anything that would make the host part end early (a path, a query, credentials) is no host name.
  if (/[\s/\\?#@]/.test(host)) return null;
  try {
    return new URL(`${protocol}://${host}`);
  } catch (error) {
    if (error instanceof TypeError) return null;
    throw error;
  }
}

/** A Host (or a trusted proxy's X-Forwarded-Host/-Proto) that names no address: 400, as RFC 9112 asks. */
export const refuseInvalidHost: RequestHandler = (req, res, next) => {
  if (publicOrigin(req)) return next();
  sendClientError(req, res, {
    status: 400,
    code: "invalid_host",
    title: "Bad request",
    message: "The Host header (or the proxy's X-Forwarded-Host or X-Forwarded-Proto) is not a valid address.",
  });
};

/**
 * Refuses requests whose Host is not one of ALLOWED_HOSTS (DNS-rebinding and host-header attacks).
 * X-Forwarded-Host counts only when `trust proxy` trusts the sender (see publicOrigin).
 */
export function allowedHostsMiddleware(allowedHosts: string[]): RequestHandler {
  const allowed = new Set(allowedHosts);
  return (req, res, next) => {
    if (allowed.size === 0 || ANY_HOST.test(routePath(req).path)) return next();
    // An IPv6 address may be listed with its brackets (as Express's req.hostname had it) or without.
    const hostname = publicOrigin(req)?.hostname;
    if (hostname && (allowed.has(hostname) || allowed.has(hostname.replace(/^\[(.*)\]$/, "$1")))) return next();
    sendClientError(req, res, {
      status: 400,
      code: "host_rejected",
      title: "Unknown host",
      message: "This server does not answer to that host name.",
    });
  };
}
