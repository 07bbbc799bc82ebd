import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SubscriptionFetchError, acceptedFeedUrl, fetchFeed, normalizeFeedUrl } from "./subscription-fetch.server";

// The default setting: private and local addresses are refused (the subscription tests allow them).
delete process.env.CALENDAR_SUBSCRIPTION_ALLOW_PRIVATE;

let server: http.Server;
let port: number;
let requests = 0;

beforeAll(async () => {
  server = http.createServer((_request, response) => {
    requests += 1;
    response.writeHead(200, { "content-type": "text/calendar" });
    response.end("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

describe("the subscription fetch adapter", () => {
  it("reads webcal:// as https:// and takes only http(s)", () => {
    expect(normalizeFeedUrl("webcal://example.com/cal.ics")).toBe("https://example.com/cal.ics");
    expect(normalizeFeedUrl("WEBCALS://example.com/a.ics#x")).toBe("https://example.com/a.ics");
    expect(normalizeFeedUrl("http://example.com/a.ics")).toBe("http://example.com/a.ics");
    for (const url of ["ftp://example.com/a.ics", "file:///etc/passwd", "gopher://x", "javascript:alert(1)"]) {
      expect(() => normalizeFeedUrl(url)).toThrow(SubscriptionFetchError);
    }
    expect(() => normalizeFeedUrl("not a url")).toThrow("This is not a web address (URL).");
  });

  it("refuses loopback, private and link-local addresses by default, by literal address or by name", async () => {
    for (const url of [
      `http://127.0.0.1:${port}/feed.ics`,
      `http://localhost:${port}/feed.ics`,
      `http://[::1]:${port}/feed.ics`,
      `http://[::ffff:127.0.0.1]:${port}/feed.ics`,
      // IPv4-compatible IPv6 (::/96): 127.0.0.1 written as [::7f00:1], which the range check calls unicast.
      `http://[::7f00:1]:${port}/feed.ics`,
      "http://[::a00:1]/feed.ics",
      "http://10.0.0.1/feed.ics",
      "http://192.168.1.1/feed.ics",
      "http://169.254.169.254/latest/meta-data/",
      "http://0.0.0.0/feed.ics",
      `webcal://127.0.0.1:${port}/feed.ics`,
    ]) {
      await expect(fetchFeed(url), url).rejects.toThrow(/private or local address/);
    }
    expect(requests).toBe(0);
  });

  it("refuses at subscription a name that resolves to a local address, with the refresh's own message", async () => {
    for (const url of [`http://localhost:${port}/feed.ics`, "webcal://localhost/feed.ics"]) {
      await expect(acceptedFeedUrl(url), url).rejects.toThrow(
        /^(127\.0\.0\.1|::1) is a private or local address, which calendar subscriptions may not reach\.$/,
      );
    }
    await expect(acceptedFeedUrl("https://no-such-host.invalid/a.ics")).rejects.toThrow(
      "No server named no-such-host.invalid could be found: check the address.",
    );
    expect(requests).toBe(0);
  });
});
