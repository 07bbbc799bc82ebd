import { expect, test, type Page } from "@playwright/test";
import type { Envelope } from "./stand-ins/sentry-server";
import { e2eSentryUrl, recordedEnvelopes } from "./support/sentry";

type SentEvent = {
  envelope: Envelope;
  event: {
    release?: string;
    environment?: string;
    tags?: Record<string, string>;
    request?: Record<string, unknown>;
    exception?: { values?: Array<{ value?: string }> };
  };
};

async function eventsAbout(baseURL: string, text: string): Promise<SentEvent[]> {
  return (await recordedEnvelopes(baseURL)).flatMap((envelope) =>
    envelope.items
      .filter((item) => item.type === "event")
      .map((item) => ({ envelope, event: item.payload as SentEvent["event"] }))
      .filter(({ event }) => event.exception?.values?.some((value) => value.value === text)),
  );
}

async function openReportingPage(page: Page, path: string) {
  const response = await page.goto(path);
  await page.waitForFunction(() => "__remixRouter" in window);
  // The SDK is downloaded after the page starts: it is on once it marks the document.
  await expect(page.locator("html")).toHaveAttribute("data-error-reporting", "on");
  return response!;
}

test("the CSP lets pages report to the browser DSN's origin and nowhere else", async ({ page, baseURL }) => {
  const response = await openReportingPage(page, "/test-only/client-error");
  const connectSrc = response
    .headers()
    ["content-security-policy"]!.split(";")
    .map((directive) => directive.trim())
    .find((directive) => directive.startsWith("connect-src "));
  expect(connectSrc).toBe(`connect-src 'self' ${new URL(e2eSentryUrl(baseURL!)).origin}`);
});

test("an error thrown in the browser reaches the stand-in once, scrubbed", async ({ page, baseURL }) => {
  await openReportingPage(page, "/test-only/client-error?q=private-search-words");
  const text = "Deliberate click-handler failure in the browser";
  await page.getByRole("button", { name: "Throw in a handler" }).click();
  await expect.poll(async () => (await eventsAbout(baseURL!, text)).length, { timeout: 15_000 }).toBe(1);
  const { envelope, event } = (await eventsAbout(baseURL!, text))[0]!;
  // Sent by the page itself (a cross-origin request the CSP allowed), named with the build's release.
  expect(envelope.origin).toBe(new URL(baseURL!).origin);
  expect(event.release).toMatch(/^ares@\d+\.\d+\.\d+/);
  expect(event.environment).toBe("e2e");
  // The page by its route template, as the server names requests: no address, no query.
  expect(event.request).toEqual({ url: "/test-only/client-error" });
  expect(envelope.raw).not.toContain("private-search-words");
  expect(envelope.raw).not.toMatch(/user-agent|cookie/i);
});

test("an error boundary rendered in the browser is reported once", async ({ page, baseURL }) => {
  await openReportingPage(page, "/test-only/client-error");
  const text = "Deliberate render failure in the browser";
  await page.getByRole("button", { name: "Break rendering" }).click();
  await expect(page.getByRole("heading", { name: "Something went wrong" })).toBeVisible();
  await expect.poll(async () => (await eventsAbout(baseURL!, text)).length, { timeout: 15_000 }).toBe(1);
  const { event } = (await eventsAbout(baseURL!, text))[0]!;
  expect(event.tags?.source).toBe("error_boundary");
});
