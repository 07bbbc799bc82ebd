import express from "express";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { ServerBuild } from "@remix-run/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { currentBuildOf } from "./current-build.server";
import { answerUnknownApiAddresses } from "./unknown-api-address.server";

// Just what route matching reads of a build: its route manifest.
const buildWith = (...paths: string[]) =>
  ({
    routes: Object.fromEntries([
      ["root", { id: "root", path: "" }],
      ["routes/$", { id: "routes/$", parentId: "root", path: "*" }],
      ...paths.map((path) => [`routes/${path}`, { id: `routes/${path}`, parentId: "root", path }]),
    ]),
  }) as unknown as ServerBuild;

// As `npm run dev` has it: Vite hands out the build as the files are now.
let viteBuild = buildWith("api/v1/health");
const builds = currentBuildOf(() => Promise.resolve(viteBuild));
let server: Server;
let port: number;

beforeAll(async () => {
  const app = express();
  app.use(builds.refresh);
  app.use(answerUnknownApiAddresses(builds.current));
  // Remix's handler: it loads the build too, but only for what got this far.
  app.all("*", (_req, res, next) => void builds.load().then(() => res.send("routed"), next));
  await new Promise<void>((resolve) => {
    server = app.listen(0, "127.0.0.1", resolve);
  });
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const get = (path: string) => fetch(`http://127.0.0.1:${port}${path}`);

describe("under npm run dev, an /api route added while the server runs", () => {
  it("is answered at once, not 404 until a page is opened", async () => {
    expect((await get("/api/v1/health")).status).toBe(200);
    expect((await get("/api/v1/widgets")).status).toBe(404);
    viteBuild = buildWith("api/v1/health", "api/v1/widgets");
    const response = await get("/api/v1/widgets");
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("routed");
  });

  it("and one taken out is a 404 problem at once", async () => {
    viteBuild = buildWith("api/v1/health");
    const response = await get("/api/v1/widgets");
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toContain("application/problem+json");
  });
});

describe("a production build", () => {
  it("is the one it was started with", async () => {
    const build = buildWith("api/v1/health");
    const production = currentBuildOf(build);
    expect(production.current()).toBe(build);
    expect(await production.load()).toBe(build);
  });
});
