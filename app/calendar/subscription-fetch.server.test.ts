import dns from "node:dns";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import {
  SubscriptionFetchError,
  acceptedFeedUrl,
  feedUrlForDisplay,
  fetchFeed,
  normalizeFeedUrl,
} from "./subscription-fetch.server";

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

  it("shows an address without the user name and password it carries", () => {
    expect(feedUrlForDisplay("https://alice:s3cret@cal.example.com/feed.ics?x=1")).toBe(
      "https://•••@cal.example.com/feed.ics?x=•••",
    );
    expect(feedUrlForDisplay("https://token@cal.example.com/feed.ics")).toBe("https://•••@cal.example.com/feed.ics");
    expect(feedUrlForDisplay("https://cal.example.com/feed.ics")).toBe("https://cal.example.com/feed.ics");
  });

  it("shows an address without the tokens in its query or its random-looking path segments", () => {
    const cases: Array<[string, string]> = [
      // iCloud's public links: the token is a path segment.
      [
        "https://p52-caldav.icloud.com/published/2/MTIzNDU2Nzg5MDEyMzQ1Njc4OTBhYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAx",
        "https://p52-caldav.icloud.com/published/2/•••",
      ],
      // Google's secret address: the calendar's name is readable, its private-<hex> segment is not.
      [
        "https://calendar.google.com/calendar/ical/alice%40example.com/private-0123456789abcdef0123456789abcdef/basic.ics",
        "https://calendar.google.com/calendar/ical/alice%40example.com/•••/basic.ics",
      ],
      // Outlook: UUIDs.
      [
        "https://outlook.office365.com/owa/calendar/5f0e8a8c-1b2d-4c3e-9f40-a1b2c3d4e5f6@example.com/0a1b2c3d4e5f4a7b8c9d0e1f2a3b4c5d6e7f8091/calendar.ics",
        "https://outlook.office365.com/owa/calendar/•••/•••/calendar.ics",
      ],
      // Every query value, whatever its name; names stay.
      [
        "https://cal.example.com:8443/export/team.ics?token=abc&lang=en&flag&k=",
        "https://cal.example.com:8443/export/team.ics?token=•••&lang=•••&flag&k=",
      ],
      ["https://cal.example.com/feed?Zm9vYmFyYmF6cXV4cXV1eGNvcmdl", "https://cal.example.com/feed?•••"],
      // Base64url tokens ("-" and "_" inside), shorter mixed runs, bare or encoded query tokens, path parameters.
      ["https://cal.example.com/feed/Xk3-9fQ_aB7cD-eF1gH2_iJ4kL/cal.ics", "https://cal.example.com/feed/•••/cal.ics"],
      ["https://cal.example.com/u/a1b2c3d4e5f6/cal.ics", "https://cal.example.com/u/•••/cal.ics"],
      ["https://cal.example.com/feed.ics?s3cr3tT0k", "https://cal.example.com/feed.ics?•••"],
      ["https://cal.example.com/feed.ics?k%3Ds3cr3t", "https://cal.example.com/feed.ics?•••"],
      ["https://cal.example.com/feed.ics;jsessionid=abc123", "https://cal.example.com/feed.ics;jsessionid=•••"],
      ["https://cal.example.com/feed.ics?download", "https://cal.example.com/feed.ics?download"],
      // Readable names stay as they are.
      [
        "https://example.com/team-calendar_2027/public-holidays.ics",
        "https://example.com/team-calendar_2027/public-holidays.ics",
      ],
      ["https://example.com/holidays-2027/de.ics", "https://example.com/holidays-2027/de.ics"],
      ["https://example.com/", "https://example.com/"],
    ];
    for (const [stored, shown] of cases) expect(feedUrlForDisplay(stored), stored).toBe(shown);
    expect(feedUrlForDisplay("not a url")).toBe("(not a valid address)");
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

  it("refuses at subscription a name that resolves to a local address, naming the name, not the address", async () => {
    for (const url of [`http://localhost:${port}/feed.ics`, "webcal://localhost/feed.ics"]) {
      await expect(acceptedFeedUrl(url), url).rejects.toThrow(
        /^localhost leads to a private or local address, which calendar subscriptions may not reach\.$/,
      );
    }
  });

  describe("what the subscription form says of a name's lookup (the resolver's answers stood in for)", () => {
    type Answer = (callback: (error: NodeJS.ErrnoException | null, addresses: dns.LookupAddress[]) => void) => void;
    let answer: Answer;
    beforeEach(() => {
      vi.spyOn(dns, "lookup").mockImplementation(((_name: string, _options: unknown, callback: Parameters<Answer>[0]) =>
        answer(callback)) as unknown as typeof dns.lookup);
    });
    afterEach(() => {
      vi.restoreAllMocks();
      vi.useRealTimers();
    });
    const failing =
      (code: string): Answer =>
      (callback) =>
        callback(Object.assign(new Error(code), { code }), []);

    it("one private address among public ones is enough to refuse; an IPv4-mapped private one too", async () => {
      for (const addresses of [
        [
          { address: "93.184.216.34", family: 4 },
          { address: "10.0.0.1", family: 4 },
        ],
        [{ address: "::ffff:10.0.0.1", family: 6 }],
      ]) {
        answer = (callback) => callback(null, addresses);
        const refusal = acceptedFeedUrl("https://feeds.example.com/a.ics");
        await expect(refusal).rejects.toThrow(
          "feeds.example.com leads to a private or local address, which calendar subscriptions may not reach.",
        );
        await expect(refusal).rejects.not.toThrow(/10\.0\.0\.1/);
      }
      answer = (callback) => callback(null, [{ address: "93.184.216.34", family: 4 }]);
      await expect(acceptedFeedUrl("https://feeds.example.com/a.ics")).resolves.toBe("https://feeds.example.com/a.ics");
    });

    it("no such name, or not a name at all, is final; a failing resolver is worth another try", async () => {
      for (const code of ["ENOTFOUND", "ENODATA", "EAI_FAIL"]) {
        answer = failing(code);
        await expect(acceptedFeedUrl("https://gone.example.com/a.ics"), code).rejects.toThrow(
          "No server named gone.example.com could be found: check the address.",
        );
      }
      answer = failing("EINVAL");
      await expect(acceptedFeedUrl("https://bad.example.com/a.ics")).rejects.toThrow(
        "bad.example.com is not a valid server name: check the address.",
      );
      answer = failing("EAI_AGAIN");
      await expect(acceptedFeedUrl("https://busy.example.com/a.ics")).rejects.toThrow(
        "The name busy.example.com could not be looked up just now (EAI_AGAIN): try again later.",
      );
    });

    it("a resolver that never answers is given up on after the subscription time limit", async () => {
      vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
      answer = () => undefined;
      const pending = acceptedFeedUrl("https://slow.example.com/a.ics");
      const outcome = expect(pending).rejects.toThrow(
        "The name slow.example.com could not be looked up just now (ETIMEOUT): try again later.",
      );
      await vi.advanceTimersByTimeAsync(15_000);
      await outcome;
    });
  });
});
