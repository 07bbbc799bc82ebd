import type { ErrorEvent } from "@sentry/react";
import { describe, expect, it } from "vitest";
import { safeMessage, scrubBreadcrumb, scrubEvent, withTemplates, type Scrubbing } from "./error-reporting.shared";

// This app's routes, as the server's build or the browser's router would resolve them.
const ROUTES: Array<[RegExp, string]> = [
  [/^\/chat\/[^/]+(\.data)?$/, "/chat/:conversationId"],
  [/^\/calendar\/feed\/[^/]+\.ics$/, "/calendar/feed/:token.ics"],
  [/^\/login$/, "/login"],
];
const scrubbing: Scrubbing = {
  routeOf: (pathname) => ROUTES.find(([pattern]) => pattern.test(pathname))?.[1],
  ownOrigin: "https://ares.example",
};
const FEED_TOKEN = "feedtoken-0123456789abcdef";
const BOT_TOKEN = "4242:bot-token-secret";

describe("what an error report may carry", () => {
  it("keeps ids, the route template and the error's first line; drops cookies, headers, bodies, addresses, extras and variables", () => {
    const event = scrubEvent(
      {
        type: undefined,
        message: "Failed\nfor the text: my secret diary",
        user: { id: "user-1", email: "ada@example.test", ip_address: "203.0.113.7", username: "ada" },
        request: {
          url: "https://ares.example/chat/1?q=diary",
          method: "POST",
          headers: { Cookie: "__session=abc", Authorization: "Bearer xyz" },
          cookies: { __session: "abc" },
          data: "content=my+secret+diary",
          query_string: "q=diary",
        },
        extra: { prompt: "my secret diary" },
        contexts: {
          os: { name: "Linux" },
          state: { state: { type: "redux", value: { draft: "my secret diary" } } },
          trace: { trace_id: "t1", span_id: "s1", data: { "url.full": "https://ares.example/chat/1?q=diary" } },
        },
        exception: {
          values: [
            {
              type: "PrismaClientValidationError",
              value:
                '\nInvalid `prisma.message.create()` invocation:\n{ data: { content: "my secret diary" } }\n\nArgument `conversation` is missing.',
              stacktrace: { frames: [{ function: "send", vars: { content: "my secret diary" } }] },
            },
          ],
        },
        breadcrumbs: [
          { category: "console", message: "my secret diary" },
          { category: "fetch", data: { url: "/chat/1.data?q=diary", method: "POST", status_code: 500, body: "x" } },
          { category: "ui.click", message: "button[aria-label='my secret diary']" },
        ],
      } as ErrorEvent,
      scrubbing,
    );
    expect(event.user).toEqual({ id: "user-1" });
    expect(event.request).toEqual({ url: "/chat/:conversationId", method: "POST" });
    expect(event.message).toBe("Failed");
    expect(event.exception?.values?.[0]?.value).toBe("Argument `conversation` is missing.");
    expect(event.contexts).toEqual({ os: { name: "Linux" }, trace: { trace_id: "t1", span_id: "s1" } });
    expect(event.breadcrumbs).toEqual([
      { category: "fetch", data: { url: "/chat/:conversationId", method: "POST", status_code: 500 } },
    ]);
    expect(JSON.stringify(event)).not.toContain("secret diary");
    expect(JSON.stringify(event)).not.toMatch(/abc|xyz|ada|203\.0\.113|chat\/1/);
  });

  it("names the request and the transaction by route template, never by the address (a feed token is a credential)", () => {
    const fromRequest = scrubEvent(
      {
        type: undefined,
        transaction: `GET /calendar/feed/${FEED_TOKEN}.ics`,
        request: { url: `http://localhost:3000/calendar/feed/${FEED_TOKEN}.ics`, method: "GET" },
      } as ErrorEvent,
      scrubbing,
    );
    expect(fromRequest.request).toEqual({ url: "/calendar/feed/:token.ics", method: "GET" });
    expect(fromRequest.transaction).toBe("GET /calendar/feed/:token.ics");
    // The template the reporter tagged wins over whatever the SDK guessed.
    const tagged = scrubEvent(
      {
        type: undefined,
        tags: { route: "/calendar/feed/:token.ics" },
        transaction: `GET /calendar/feed/${FEED_TOKEN}.ics`,
      } as ErrorEvent,
      scrubbing,
    );
    expect(tagged.transaction).toBe("/calendar/feed/:token.ics");
    // A path no route claims is not reported either; and without routes (before the app is up), nothing.
    expect(withTemplates("GET /secret/place", scrubbing)).toBe("GET unmatched");
    const early = scrubEvent(
      { type: undefined, request: { url: `http://localhost/calendar/feed/${FEED_TOKEN}.ics` } } as ErrorEvent,
      { routeOf: () => undefined },
    );
    expect(JSON.stringify(early)).not.toContain(FEED_TOKEN);
  });

  it("keeps only the origin, method and status of a call to another service (the Bot API's path holds the token)", () => {
    const crumb = scrubBreadcrumb(
      {
        category: "http",
        type: "http",
        data: { url: `https://api.telegram.org/bot${BOT_TOKEN}/getMe?x=1`, method: "POST", status_code: 200 },
      },
      scrubbing,
    );
    expect(crumb?.data).toEqual({ url: "https://api.telegram.org", method: "POST", status_code: 200 });
    expect(withTemplates(`POST https://api.telegram.org/bot${BOT_TOKEN}/getMe`, scrubbing)).toBe(
      "POST https://api.telegram.org",
    );
    // The browser's own pages, absolute or not, by template; navigation too.
    expect(
      scrubBreadcrumb(
        { category: "navigation", data: { from: "/chat/1", to: "https://ares.example/login?next=/x" } },
        scrubbing,
      )?.data,
    ).toEqual({ from: "/chat/:conversationId", to: "/login" });
  });

  it("cuts a message to its first meaningful line, at most 200 characters", () => {
    expect(safeMessage("boom")).toBe("boom");
    expect(safeMessage(`${"a".repeat(300)}\nsecond`)).toBe("a".repeat(200));
    expect(
      safeMessage("\nInvalid `prisma.user.update()` invocation:\n\nUnique constraint failed on the fields: (`email`)"),
    ).toBe("Unique constraint failed on the fields: (`email`)");
  });

  it("keeps no breadcrumb that could hold free text", () => {
    expect(scrubBreadcrumb({ category: "console", message: "hello" }, scrubbing)).toBeNull();
    expect(scrubBreadcrumb({ category: "ui.input", message: "input#message" }, scrubbing)).toBeNull();
    expect(scrubBreadcrumb({ message: "no category" }, scrubbing)).toBeNull();
  });
});
