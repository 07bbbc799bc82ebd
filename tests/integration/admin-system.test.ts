/** /admin/system: the health report, version, uptime and migrations — for admins only. */
import { expect, it } from "vitest";
import { formatDateTime } from "~/accounts/time-zone";
import { prisma } from "~/db/db.server";
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
    expect(html).toContain(`<td role="cell">${dependency}</td>`);
  }
  // React separates text fragments with <!-- --> in server HTML.
  const text = html.replaceAll("<!-- -->", "");
  expect(text).toMatch(/ARES 0\.1\.0 · up \d+ min/);
  expect(text).toMatch(
    /<td role="cell">database<\/td><td role="cell" data-label="Status"><span class="badge ok">up<\/span>/,
  );
  for (const migration of migrationNames()) expect(html).toContain(migration);
  expect(html).toContain("not configured");

  const member = await signUp("member@example.test");
  expect((await member.get("/admin/system")).status).toBe(403);
});

it("shows when the checks ran and each migration was applied on the admin's clock, not as ISO strings", async () => {
  const admin = await signUp("clock-admin@example.test");
  await prisma.user.update({
    where: { email: "clock-admin@example.test" },
    data: { timeZone: "Asia/Tokyo", role: "admin" },
  });
  const html = (await (await admin.get("/admin/system")).text()).replaceAll("<!-- -->", "");
  // What a person reads: no tags, no page data (whose ISO values are for the browser's code).
  const shown = html.replace(/<script[\s\S]*?<\/script>/g, "").replace(/<[^>]*>/g, "");
  expect(shown).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
  expect(html).toMatch(/checked <time dateTime="[^"]+Z">/);
  const times = [...html.matchAll(/<time dateTime="([^"]+)">([^<]*)<\/time>/g)];
  // The check's time and one per migration.
  expect(times.length).toBe(1 + migrationNames().length);
  for (const [, at, text] of times) expect(text).toBe(formatDateTime(new Date(at!), "Asia/Tokyo"));
});
