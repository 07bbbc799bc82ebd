import { describe, expect, it } from "vitest";
import { redactSecretPaths, requestWithoutSecrets } from "./logger.server";

describe("log lines", () => {
  it("name a calendar feed's address without its token, in url, path and req.url", () => {
    const line = redactSecretPaths({
      url: "/calendar/feed/s3cr3t-T0ken.ics?x=1",
      path: "/calendar/feed/s3cr3t-T0ken.ics",
      req: { method: "GET", url: "/calendar/feed/s3cr3t-T0ken.ics" },
      msg: "request completed",
    });
    expect(JSON.stringify(line)).not.toContain("s3cr3t");
    expect(line).toMatchObject({
      url: "/calendar/feed/[redacted].ics?x=1",
      path: "/calendar/feed/[redacted].ics",
      req: { method: "GET", url: "/calendar/feed/[redacted].ics" },
      msg: "request completed",
    });
    expect(redactSecretPaths({ url: "/calendar?view=month" })).toEqual({ url: "/calendar?view=month" });
  });

  it("name a calendar feed's address without its token in the access log's request", () => {
    expect(requestWithoutSecrets({ method: "GET", url: "/calendar/feed/s3cr3t-T0ken.ics" })).toEqual({
      method: "GET",
      url: "/calendar/feed/[redacted].ics",
    });
  });
});
