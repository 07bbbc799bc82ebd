import path from "node:path";
import { pathToFileURL } from "node:url";
import type { ServerBuild } from "@remix-run/node";
import { matchRoutes } from "@remix-run/router";
import type * as Router from "@remix-run/router";
import { beforeAll, describe, expect, it } from "vitest";
import { routeTemplate, treeOf } from "~/http/route-template.server";
import { templateOf } from "~/http/route-template";
import { ensureBuild } from "../support/server-process";

const root = path.resolve(import.meta.dirname, "../..");
let build: ServerBuild;
/** @remix-run/router's ES module build, which patches/@remix-run+router+*.patch leaves as published. */
let published: typeof Router;

beforeAll(async () => {
  await ensureBuild();
  build = (await import(pathToFileURL(path.join(root, "build-test/server/index.js")).href)) as ServerBuild;
  published = (await import(
    pathToFileURL(path.join(root, "node_modules/@remix-run/router/dist/router.js")).href
  )) as typeof Router;
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

/** Every route's address in the spellings Remix accepts, and some that match nothing. */
function everyAddressOf(build: ServerBuild): string[] {
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
  return addresses;
}

describe("matchRoutes as patched (one routing table per route tree shape)", () => {
  it("matches every address as the published matchRoutes does, naming the routes of the array it was given", () => {
    // Remix builds a new array of the same shape for every request: the second and third arrays reuse
    // the first one's table and remembered winners, yet their matches must be their own route objects.
    const trees = [treeOf(build), treeOf(build), treeOf(build)];
    const addresses = everyAddressOf(build);
    for (const round of [1, 2]) {
      for (const tree of trees) {
        for (const address of addresses) {
          const label = `${address} (round ${round})`;
          const expected = published.matchRoutes(tree, address);
          const actual = matchRoutes(tree, address);
          expect(
            actual?.map(({ params, pathname, pathnameBase }) => ({ params, pathname, pathnameBase })),
            label,
          ).toEqual(expected?.map(({ params, pathname, pathnameBase }) => ({ params, pathname, pathnameBase })));
          actual?.forEach((match, index) => expect(match.route, label).toBe(expected![index]!.route));
        }
      }
    }
    expect(matchRoutes(trees[1]!, "/chat/abc")?.at(-1)?.route.id).toBe("routes/chat.$conversationId");
    // Under a basename, and for an address too long to be remembered (it is matched afresh each time).
    const long = `/chat/${"x".repeat(300)}`;
    for (const [address, basename] of [
      ["/base/chat/abc", "/base"],
      ["/chat/abc", "/base"],
      [long, "/"],
      [long, "/"],
    ] as const) {
      expect(
        matchRoutes(trees[2]!, address, basename)?.map((match) => match.route),
        address,
      ).toEqual(published.matchRoutes(trees[2]!, address, basename)?.map((match) => match.route));
    }
  });

  it("keeps trees of different shapes apart", () => {
    const tree = treeOf(build);
    const other = [{ id: "only", path: "chat/:other" }];
    expect(matchRoutes(tree, "/chat/abc")?.at(-1)?.route.id).toBe("routes/chat.$conversationId");
    expect(matchRoutes(other, "/chat/abc")?.[0]?.route).toBe(other[0]);
    expect(matchRoutes(other, "/calendar")).toBeNull();
    expect(matchRoutes(tree, "/calendar")).not.toBeNull();
  });
});

describe("route templates from the precomputed table", () => {
  it("name every address as React Router's matchRoutes does, in every spelling Remix accepts", () => {
    const tree = treeOf(build);
    const addresses = everyAddressOf(build);
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
