/**
 * The stand-in Auth0 the end-to-end server signs in with, and the people it knows. The server process must trust
 * the IdP's self-signed certificate from its very start (Node reads NODE_EXTRA_CA_CERTS once), so the IdP runs
 * in a parent process that then starts the server as its child with that variable set.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { startStandInIdp, type StandInIdpUser } from "../stand-ins/idp-server";

const root = path.resolve(import.meta.dirname, "../..");
const PASSWORD = "correct horse battery staple";
const CLIENT = { clientId: "ares-e2e-client", clientSecret: "ares-e2e-client-secret" };
const ROLES_CLAIM = "https://ares.local/roles";
/** Set in the server's environment: the script is running as the child, the IdP is up. */
const CHILD_MARKER = "E2E_STAND_IN_IDP";

export const AUTH0_USERS = {
  admin: {
    sub: "auth0|e2e-admin",
    email: "auth0-admin@example.test",
    emailVerified: true,
    name: "Ada Auth0",
    password: PASSWORD,
    roles: ["admin"],
  },
  user: {
    sub: "auth0|e2e-user",
    email: "auth0-user@example.test",
    emailVerified: true,
    name: "Uma Auth0",
    password: PASSWORD,
    roles: ["user"],
  },
} satisfies Record<string, StandInIdpUser>;

export function isServerProcess(): boolean {
  return process.env[CHILD_MARKER] === "1";
}

/**
 * Starts the IdP, then runs `script` again as the server with Auth0 configured; exits with the server's status.
 * Signals go on to the server so that it shuts down gracefully.
 */
export async function runServerWithStandInIdp(script: string, appPort: string): Promise<never> {
  const appOrigin = `http://127.0.0.1:${appPort}`;
  const idp = await startStandInIdp({
    clients: [{ ...CLIENT, redirectUris: [`${appOrigin}/auth/auth0/callback`] }],
    users: Object.values(AUTH0_USERS),
    rolesClaim: ROLES_CLAIM,
    // Kept and reused, like `npm run dev:idp` does (.e2e/ is git-ignored).
    certDir: path.join(root, ".e2e", "idp"),
  });
  const child = spawn(process.execPath, [...process.execArgv, script], {
    stdio: "inherit",
    env: {
      ...process.env,
      [CHILD_MARKER]: "1",
      NODE_EXTRA_CA_CERTS: idp.caCertPath,
      AUTH0_DOMAIN: idp.domain,
      AUTH0_CLIENT_ID: CLIENT.clientId,
      AUTH0_CLIENT_SECRET: CLIENT.clientSecret,
      AUTH0_ROLES_CLAIM: ROLES_CLAIM,
    },
  });
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => child.kill(signal));
  return new Promise<never>(() => {
    child.on("exit", (code, signal) => {
      void idp.close().finally(() => process.exit(code ?? (signal ? 1 : 0)));
    });
  });
}
