/** /admin/system: the health report, version, uptime and migrations — for admins only. */
import { expect, it } from "vitest";
import { migrationNames } from "~/db/migrations.server";
import { serverForThisFile, signedUp } from "../support/app-server";

const server = serverForThisFile({ OLLAMA_URL: "http://127.0.0.1:9" });
const signUp = (email: string) => signedUp(server.url, email);

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
