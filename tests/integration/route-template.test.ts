import path from "node:path";
import { pathToFileURL } from "node:url";
import type { ServerBuild } from "@remix-run/node";
import { beforeAll, describe, expect, it } from "vitest";
import { routeTemplate, treeOf } from "~/http/route-template.server";
import { templateOf } from "~/http/route-template";
import { ensureBuild } from "../support/server-process";

const root = path.resolve(import.meta.dirname, "../..");
let build: ServerBuild;

beforeAll(async () => {
  await ensureBuild();
  build = (await import(pathToFileURL(path.join(root, "build-test/server/index.js")).href)) as ServerBuild;
});

/** An address for each route of the build: params filled in, a splat given two segments. */
function addressesOf(build: ServerBuild): string[] {
  const fullPath = (id: string): string => {
    const route = build.routes[id]!;
    const parent = route.parentId ? fullPath(route.parentId) : "";
    return [parent, route.path ?? ""].filter(Boolean).join("/");
  };
  return Object.keys(build.routes).map((id) =>
    `/${fullPath(id)}`
      .replace(/\/+/g, "/")
      .replace(/:([\w-]+)/g, "x$1-1")
      .replace(/\*$/, "some/where"),
  );
}

describe("route templates from the precomputed table", () => {
  it("name every address as React Router's matchRoutes does, in every spelling Remix accepts", () => {
    const tree = treeOf(build);
    const addresses = addressesOf(build).flatMap((address) => [
      address,
      address.toUpperCase(),
      `${address}/`,
      `${address}.data`,
      `${address}/extra`,
      `${address}/extra/more`,
      address.replace(/x(\w)/, "%78$1"),
    ]);
    addresses.push("/", "/_root.data", "/nowhere", "/chat/%E2%9C%93", "/chat/a%2Fb", "/api/v1/nothing", "//chat");
    expect(addresses.length).toBeGreaterThan(300);
    for (const address of addresses) {
      expect(routeTemplate(build, address), address).toBe(templateOf(tree, address) ?? "unmatched");
    }
    // Not everything is unmatched: the comparison would then prove nothing.
    expect(routeTemplate(build, "/chat/abc")).toBe("/chat/:conversationId");
    expect(routeTemplate(build, "/calendar/feed/t0ken.ics")).toBe("/calendar/feed/:token.ics");
    expect(routeTemplate(build, "/no/such/page")).toBe("unmatched");
  });
});
