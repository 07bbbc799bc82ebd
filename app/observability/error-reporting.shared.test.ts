import type { ErrorEvent } from "@sentry/react";
import { describe, expect, it } from "vitest";
import { safeMessage, scrubBreadcrumb, scrubEvent } from "./error-reporting.shared";

describe("what an error report may carry", () => {
  it("keeps ids, the route and the error's first line; drops cookies, headers, bodies, queries, extras and variables", () => {
    const event = scrubEvent({
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
      contexts: { os: { name: "Linux" }, state: { state: { type: "redux", value: { draft: "my secret diary" } } } },
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
    } as ErrorEvent);
    expect(event.user).toEqual({ id: "user-1" });
    expect(event.request).toEqual({ url: "https://ares.example/chat/1", method: "POST" });
    expect(event.message).toBe("Failed");
    expect(event.exception?.values?.[0]?.value).toBe("Argument `conversation` is missing.");
    expect(event.contexts).toEqual({ os: { name: "Linux" } });
    expect(event.breadcrumbs).toEqual([
      { category: "fetch", data: { url: "/chat/1.data", method: "POST", status_code: 500 } },
    ]);
    expect(JSON.stringify(event)).not.toContain("secret diary");
    expect(JSON.stringify(event)).not.toMatch(/abc|xyz|ada|203\.0\.113/);
  });

  it("cuts a message to its first meaningful line, at most 200 characters", () => {
    expect(safeMessage("boom")).toBe("boom");
    expect(safeMessage(`${"a".repeat(300)}\nsecond`)).toBe("a".repeat(200));
    expect(
      safeMessage("\nInvalid `prisma.user.update()` invocation:\n\nUnique constraint failed on the fields: (`email`)"),
    ).toBe("Unique constraint failed on the fields: (`email`)");
  });

  it("keeps no breadcrumb that could hold free text", () => {
    expect(scrubBreadcrumb({ category: "console", message: "hello" })).toBeNull();
    expect(scrubBreadcrumb({ category: "ui.input", message: "input#message" })).toBeNull();
    expect(scrubBreadcrumb({ message: "no category" })).toBeNull();
  });
});
