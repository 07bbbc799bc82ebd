/**
 * `npm run dev:idp`: the stand-in Auth0 for local development.
 *
 * Env: STAND_IN_IDP_PORT (8443), AUTH0_CLIENT_ID / AUTH0_CLIENT_SECRET (the app's client), AUTH0_MGMT_CLIENT_ID /
 * AUTH0_MGMT_CLIENT_SECRET (Management API client), AUTH0_ROLES_CLAIM, STAND_IN_IDP_CERT_DIR (.e2e/idp).
 * The certificate is kept in the cert dir and reused, so NODE_EXTRA_CA_CERTS stays valid across restarts.
 */
import { fileURLToPath } from "node:url";
import { startStandInIdp } from "./idp-server";

const DEMO_PASSWORD = "correct horse battery staple";

function env(name: string, fallback: string): string {
  const value = process.env[name]?.trim();
  return value ? value : fallback;
}

const port = Number(env("STAND_IN_IDP_PORT", "8443"));
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`STAND_IN_IDP_PORT must be a port number, got ${process.env.STAND_IN_IDP_PORT}`);
  process.exit(1);
}

const clientId = env("AUTH0_CLIENT_ID", "ares-dev-client");
const clientSecret = env("AUTH0_CLIENT_SECRET", "ares-dev-client-secret");
const mgmtClientId = env("AUTH0_MGMT_CLIENT_ID", "ares-dev-mgmt");
const mgmtClientSecret = env("AUTH0_MGMT_CLIENT_SECRET", "ares-dev-mgmt-secret");
const rolesClaim = env("AUTH0_ROLES_CLAIM", "https://ares.local/roles");
const certDir = env("STAND_IN_IDP_CERT_DIR", fileURLToPath(new URL("../../.e2e/idp", import.meta.url)));

const users = [
  {
    sub: "auth0|ares-admin",
    email: "admin@example.test",
    emailVerified: true,
    name: "Ada Admin",
    password: DEMO_PASSWORD,
    roles: ["admin"],
  },
  {
    sub: "auth0|ares-user",
    email: "user@example.test",
    emailVerified: true,
    name: "Uma User",
    password: DEMO_PASSWORD,
    roles: ["user"],
  },
];

const idp = await startStandInIdp({
  port,
  clients: [
    {
      clientId,
      clientSecret,
      redirectUris: ["http://localhost:3000/auth/auth0/callback", "http://127.0.0.1:3000/auth/auth0/callback"],
      postLogoutRedirectUris: ["http://localhost:3000/", "http://127.0.0.1:3000/"],
    },
  ],
  users,
  rolesClaim,
  mgmt: { clientId: mgmtClientId, clientSecret: mgmtClientSecret },
  certDir,
});

console.log(`Stand-in Auth0 listening on ${idp.issuer}

Start the app with:
  AUTH0_DOMAIN=${idp.domain}
  AUTH0_CLIENT_ID=${clientId}
  AUTH0_CLIENT_SECRET=${clientSecret}
  AUTH0_MGMT_CLIENT_ID=${mgmtClientId}
  AUTH0_MGMT_CLIENT_SECRET=${mgmtClientSecret}
  AUTH0_ROLES_CLAIM=${rolesClaim}
  NODE_EXTRA_CA_CERTS=${idp.caCertPath}

Users (password "${DEMO_PASSWORD}"):
${users.map((user) => `  ${user.email}  ${user.sub}  roles: ${user.roles.join(", ") || "(none)"}`).join("\n")}

Ctrl+C to stop.`);

let stopping = false;
const stop = (signal: NodeJS.Signals) => {
  if (stopping) process.exit(1); // A second signal means "now".
  stopping = true;
  console.log(`\n${signal}: stopping the stand-in IdP`);
  idp.close().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
