/** /admin/system: the health report, version, uptime and migrations — for admins only. */
import { afterAll, beforeAll, expect, it } from "vitest";
import { migrationNames } from "~/db/migrations.server";
import { browserClient } from "../support/cookie-jar";
import { ensureBuild, startServer, type ServerProcess } from "../support/server-process";

let server: ServerProcess;
beforeAll(async () => {
  await ensureBuild();
  server = await startServer({
    DATABASE_URL: process.env.DATABASE_URL,
    NODE_ENV: "test",
    ARES_SKIP_MIGRATIONS: "true",
    OLLAMA_URL: "http://127.0.0.1:9",
  });
}, 180_000);
afterAll(() => server?.stop());

async function signUp(email: string) {
  const client = browserClient(server.url);
  expect((await client.post("/signup", { email, password: "correct horse battery staple" })).status).toBe(302);
  expect((await client.post("/login", { email, password: "correct horse battery staple" })).status).toBe(302);
  return client;
}

it("shows every dependency, the version, uptime and applied migrations to an admin, and 403 to others", async () => {
  const admin = await signUp("first-admin@example.test");
  const page = await admin.get("/admin/system");
  expect(page.status).toBe(200);
  const html = await page.text();
  for (const dependency of ["database", "migrations", "redis", "auth0", "openrouter", "ollama"]) {
    expect(html).toContain(`<td>${dependency}</td>`);
  }
  // React separates text fragments with <!-- --> in server HTML.
  const text = html.replaceAll("<!-- -->", "");
  expect(text).toMatch(/ARES 0\.1\.0 · up \d+ min/);
  expect(text).toContain('<td>database</td><td><span class="badge ok">up</span>');
  for (const migration of migrationNames()) expect(html).toContain(migration);
  expect(html).toContain("not configured");

  const member = await signUp("member@example.test");
  expect((await member.get("/admin/system")).status).toBe(403);
});
