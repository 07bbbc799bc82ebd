import { beforeEach, describe, expect, it, vi } from "vitest";

// The four purges of the hourly job, as stand-ins: which ran, and one that fails.
const ran: string[] = [];
const purge = (name: string) =>
  vi.fn(async () => {
    ran.push(name);
    return 0;
  });
const purgeEndedSessions = purge("sessions");
const purgeImportReports = purge("import reports");
const purgeDeletedImportRecords = purge("deleted imports");
const purgeKeptTexts = purge("kept texts");

vi.mock("~/sessions/sessions.server", async (original) => ({ ...(await original<object>()), purgeEndedSessions }));
vi.mock("~/calendar/import-reports.server", async (original) => ({
  ...(await original<object>()),
  purgeImportReports,
}));
vi.mock("~/calendar/events.server", async (original) => ({ ...(await original<object>()), purgeDeletedImportRecords }));
vi.mock("~/chat/kept-text.server", async (original) => ({ ...(await original<object>()), purgeKeptTexts }));

const context = { id: "direct", attempt: 1, signal: new AbortController().signal };

beforeEach(() => {
  ran.length = 0;
});

describe("the hourly purge (sessions.purge-ended)", () => {
  it("runs every purge when the first fails, and still fails itself so that it is retried", async () => {
    const { purgeSessionsJob } = await import("./registry.server");
    const down = new Error("sessions table locked");
    purgeEndedSessions.mockImplementationOnce(async () => {
      ran.push("sessions (failed)");
      throw down;
    });
    await expect(purgeSessionsJob.handler({}, context)).rejects.toBe(down);
    expect(ran).toEqual(["sessions (failed)", "import reports", "deleted imports", "kept texts"]);
  });

  it("names every failure when more than one purge fails", async () => {
    const { purgeSessionsJob } = await import("./registry.server");
    purgeImportReports.mockRejectedValueOnce(new Error("reports"));
    purgeKeptTexts.mockRejectedValueOnce(new Error("texts"));
    const failed = await purgeSessionsJob.handler({}, context).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(AggregateError);
    expect((failed as AggregateError).message).toBe("2 of 4 purges failed: reports; texts");
    expect((failed as AggregateError).errors.map((error: Error) => error.message)).toEqual(["reports", "texts"]);
    expect(ran).toEqual(["sessions", "deleted imports"]);
  });

  it("throws a database outage as itself when it fails every purge, so that it is not reported as a fault", async () => {
    const { purgeSessionsJob } = await import("./registry.server");
    const { isDatabaseUnavailable } = await import("~/db/availability.server");
    const outage = () => Object.assign(new Error("Can't reach database server"), { code: "P1001" });
    const first = outage();
    purgeEndedSessions.mockRejectedValueOnce(first);
    purgeImportReports.mockRejectedValueOnce(outage());
    purgeDeletedImportRecords.mockRejectedValueOnce(outage());
    purgeKeptTexts.mockRejectedValueOnce(outage());
    const failed = await purgeSessionsJob.handler({}, context).catch((error: unknown) => error);
    expect(failed).toBe(first);
    expect(isDatabaseUnavailable(failed)).toBe(true);
  });

  it("stops after a purge when the job has timed out", async () => {
    const { purgeSessionsJob } = await import("./registry.server");
    const timedOut = new AbortController();
    purgeEndedSessions.mockImplementationOnce(async () => {
      ran.push("sessions (timed out)");
      timedOut.abort();
      throw new Error("canceling statement due to user request");
    });
    await expect(purgeSessionsJob.handler({}, { ...context, signal: timedOut.signal })).rejects.toThrow("canceling");
    expect(ran).toEqual(["sessions (timed out)"]);
  });
});
