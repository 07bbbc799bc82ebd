import { OAuth2RequestError } from "arctic";
import { z } from "zod";
import type { Auth0Config } from "~/config/env.server";
import { Auth0Failure, Auth0HttpError, getAuth0Json, postToTokenEndpoint } from "./auth0-http.server";

/** A fresh token is fetched this long before the cached one expires, so none is used at its last second. */
const TOKEN_REFRESH_MARGIN_MS = 60_000;
export const ROLE_CACHE_TTL_MS = 5 * 60_000;
/** Per-process cache, not session state: small and bounded, the oldest entry goes first. */
const ROLE_CACHE_MAX_ENTRIES = 1_000;

const tokenResponse = z.object({ access_token: z.string().min(1), expires_in: z.number().positive() });
const rolesResponse = z.array(z.object({ name: z.string() }));

type Management = NonNullable<Auth0Config["management"]>;

type Auth0RoleDirectory = {
  /** The user's Auth0 role names: cached for five minutes, concurrent lookups share one request. */
  rolesFor(sub: string): Promise<string[]>;
};

/**
 * Reads roles from the Management API with a machine-to-machine token. `now` is injectable so tests can move
 * time instead of waiting for the caches to expire.
 */
export function createAuth0RoleDirectory(
  auth0: Auth0Config,
  management: Management,
  now: () => number = Date.now,
): Auth0RoleDirectory {
  let token: { value: string; refreshAt: number } | undefined;
  let pendingToken: Promise<string> | undefined;
  const roles = new Map<string, { names: string[]; expiresAt: number }>();
  const pendingRoles = new Map<string, Promise<string[]>>();

  async function fetchToken(): Promise<{ value: string; refreshAt: number }> {
    const body = await postToTokenEndpoint(
      auth0,
      { grant_type: "client_credentials", audience: `https://${auth0.domain}/api/v2/` },
      { ...management, authMethod: "post" },
    ).catch((error: unknown) => {
      // A refused M2M client is an operator's problem, not the person's: don't let it read as "access_denied".
      if (!(error instanceof OAuth2RequestError)) throw error;
      throw new Auth0Failure("roles_unavailable", `Management API token refused: ${error.code}`, { cause: error });
    });
    const parsed = tokenResponse.safeParse(body);
    if (!parsed.success)
      throw new Auth0Failure("roles_unavailable", "Auth0's Management API token answer is malformed");
    const lifetimeMs = parsed.data.expires_in * 1000;
    return {
      value: parsed.data.access_token,
      refreshAt: now() + Math.max(lifetimeMs - TOKEN_REFRESH_MARGIN_MS, lifetimeMs / 2),
    };
  }

  function managementToken(): Promise<string> {
    if (token && now() < token.refreshAt) return Promise.resolve(token.value);
    pendingToken ??= fetchToken()
      .then((fresh) => {
        token = fresh;
        return fresh.value;
      })
      .finally(() => {
        pendingToken = undefined;
      });
    return pendingToken;
  }

  async function fetchRoles(sub: string): Promise<string[]> {
    const path = `/api/v2/users/${encodeURIComponent(sub)}/roles`;
    const lookUp = async () => getAuth0Json(auth0, path, await managementToken());
    const body = await lookUp()
      .catch((error: unknown) => {
        if (!(error instanceof Auth0HttpError && error.status === 401)) throw error;
        // Revoked or rotated early: forget the token and try once more with a new one.
        token = undefined;
        return lookUp();
      })
      .catch((error: unknown) => {
        if (!(error instanceof Auth0HttpError)) throw error;
        throw new Auth0Failure("roles_unavailable", error.message, { cause: error });
      });
    const parsed = rolesResponse.safeParse(body);
    if (!parsed.success) throw new Auth0Failure("roles_unavailable", "Auth0's roles answer is malformed");
    return parsed.data.map((role) => role.name);
  }

  return {
    rolesFor(sub) {
      const cached = roles.get(sub);
      if (cached && now() < cached.expiresAt) return Promise.resolve(cached.names);
      let pending = pendingRoles.get(sub);
      if (!pending) {
        pending = fetchRoles(sub)
          .then((names) => {
            roles.delete(sub);
            roles.set(sub, { names, expiresAt: now() + ROLE_CACHE_TTL_MS });
            while (roles.size > ROLE_CACHE_MAX_ENTRIES) roles.delete(roles.keys().next().value!);
            return names;
          })
          .finally(() => pendingRoles.delete(sub));
        pendingRoles.set(sub, pending);
      }
      return pending;
    },
  };
}

let shared: { auth0: Auth0Config; directory: Auth0RoleDirectory } | undefined;

/**
 * This process's directory, or undefined when no Management API client is configured. config() is parsed once,
 * so the caches live as long as the process.
 */
export function auth0RoleDirectory(auth0: Auth0Config): Auth0RoleDirectory | undefined {
  if (!auth0.management) return undefined;
  if (shared?.auth0 !== auth0) shared = { auth0, directory: createAuth0RoleDirectory(auth0, auth0.management) };
  return shared.directory;
}
