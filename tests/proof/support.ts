/**
 * Shared by the proof suites: the route list of the compiled build, one built server with stand-in
 * model providers, and people signed in over HTTP as a browser would.
 */
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { ServerBuild } from "@remix-run/node";
import { prisma } from "~/db/db.server";
import { startChatHarness, type ChatHarness } from "../support/chat-harness";

const root = path.resolve(import.meta.dirname, "../..");

/** Every route template the test build serves (`/chat/:conversationId/stream`), test-only routes left out. */
export async function routeTemplates(): Promise<string[]> {
  const build = (await import(pathToFileURL(path.join(root, "build-test/server/index.js")).href)) as ServerBuild;
  const fullPath = (id: string): string => {
    const route = build.routes[id]!;
    const own = route.path ?? "";
    const parent = route.parentId ? fullPath(route.parentId) : "";
    return own.startsWith("/") ? own : [parent, own].filter(Boolean).join("/");
  };
  const templates = Object.keys(build.routes)
    .filter((id) => id !== "root")
    .map((id) => `/${fullPath(id)}`.replace(/\/+/g, "/"));
  return [...new Set(templates)].filter((template) => !template.startsWith("/test-only")).sort();
}

/** The `:name` segments of a template. */
export function paramsOf(template: string): string[] {
  return [...template.matchAll(/:([A-Za-z]+)\??/g)].map((match) => match[1]!);
}

/** Field names and intent values the app's forms send, read from the route modules. */
export function formVocabulary(): { names: string[]; intents: string[]; queryNames: string[] } {
  const dir = path.join(root, "app/routes");
  const sources = fs.readdirSync(dir).map((file) => fs.readFileSync(path.join(dir, file), "utf8"));
  const all = (pattern: RegExp) => [
    ...new Set(sources.flatMap((text) => [...text.matchAll(pattern)].map((m) => m[1]!))),
  ];
  return {
    names: all(/\bname="([A-Za-z][\w-]*)"/g),
    intents: all(/name="intent" value="([\w-]+)"/g),
    queryNames: all(/searchParams\.get\("([A-Za-z]+)"\)/g),
  };
}

export type Person = { id: string; email: string; cookie: string };

let counter = 0;
const password = "correct horse battery staple";

/** Signs up and signs in over HTTP (the instance's first account becomes its admin). */
export async function signUp(baseUrl: string, prefix: string): Promise<Person> {
  const email = `${prefix}-${Date.now().toString(36)}-${++counter}@example.test`;
  const form = (fields: Record<string, string>) => ({
    method: "POST",
    body: new URLSearchParams(fields),
    redirect: "manual" as const,
  });
  await (await fetch(`${baseUrl}/signup`, form({ email, password }))).text();
  const login = await fetch(`${baseUrl}/login`, form({ email, password }));
  await login.text();
  const cookie = login.headers.getSetCookie()[0]?.split(";")[0] ?? "";
  if (login.status !== 302 || !cookie) throw new Error(`sign-in failed for ${email}: ${login.status}`);
  const user = await prisma.user.findUniqueOrThrow({ where: { email }, select: { id: true } });
  return { id: user.id, email, cookie };
}

/** The built server with stand-in providers (replies stream from them), BODY_LIMIT_BYTES as given. */
export function startProofServer(bodyLimit: number): Promise<ChatHarness> {
  return startChatHarness({ BODY_LIMIT_BYTES: String(bodyLimit), CHAT_MESSAGES_PER_MINUTE: "100000" });
}

/** The server's log lines that report an unhandled error (each one is a 5xx somewhere). */
export function unhandledErrors(harness: ChatHarness): string[] {
  return harness.server.logs
    .filter((entry) => entry.msg === "unhandled error" || Number(entry.level) >= 50)
    .map((entry) => JSON.stringify(entry).slice(0, 400));
}
