import { gzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseEnvelope, RECORDED_PATH, startStandInSentry, type Envelope, type StandInSentry } from "./sentry-server";

let sentry: StandInSentry;
beforeEach(async () => {
  sentry = await startStandInSentry();
});
afterEach(() => sentry.close());

function envelopeFor(event: Record<string, unknown>): string {
  const payload = JSON.stringify(event);
  return [
    JSON.stringify({ event_id: event.event_id, sent_at: new Date().toISOString() }),
    JSON.stringify({ type: "event", length: Buffer.byteLength(payload) }),
    payload,
    JSON.stringify({ type: "client_report" }),
    JSON.stringify({ discarded_events: [] }),
  ].join("\n");
}

function endpointOf(dsn: string): { url: string; key: string } {
  const parsed = new URL(dsn);
  return { url: `${parsed.protocol}//${parsed.host}/api${parsed.pathname}/envelope/`, key: parsed.username };
}

describe("stand-in Sentry ingest", () => {
  it("parses items with and without a length, including multi-byte text", () => {
    const event = { event_id: "a".repeat(32), message: "Zürich — ✓\nsecond line" };
    const { header, items } = parseEnvelope(envelopeFor(event));
    expect(header.event_id).toBe(event.event_id);
    expect(items.map((item) => item.type)).toEqual(["event", "client_report"]);
    expect(items[0]!.payload).toEqual(event);
  });

  it("records envelopes sent plain or gzipped, authenticated by header or query", async () => {
    const { url, key } = endpointOf(sentry.dsn("7"));
    const event = { event_id: "b".repeat(32), exception: { values: [{ type: "Error", value: "boom" }] } };
    const plain = await fetch(url, {
      method: "POST",
      headers: { "X-Sentry-Auth": `Sentry sentry_version=7, sentry_key=${key}, sentry_client=test/1` },
      body: envelopeFor(event),
    });
    expect(plain.status).toBe(200);
    const gzipped = await fetch(`${url}?sentry_key=${key}&sentry_version=7`, {
      method: "POST",
      headers: { "Content-Encoding": "gzip", Origin: "http://127.0.0.1:3000" },
      body: gzipSync(envelopeFor({ ...event, event_id: "c".repeat(32) })),
    });
    expect(gzipped.status).toBe(200);
    expect(gzipped.headers.get("access-control-allow-origin")).toBe("http://127.0.0.1:3000");
    expect(sentry.events().map((e) => e.event_id)).toEqual(["b".repeat(32), "c".repeat(32)]);
    expect(sentry.envelopes[0]!.projectId).toBe("7");
  });

  it("lists what it recorded for tests in other processes", async () => {
    const { url, key } = endpointOf(sentry.dsn());
    await fetch(`${url}?sentry_key=${key}`, { method: "POST", body: envelopeFor({ event_id: "e".repeat(32) }) });
    const recorded = (await (await fetch(`${sentry.url}${RECORDED_PATH}`)).json()) as Envelope[];
    expect(recorded.map((envelope) => envelope.header.event_id)).toEqual(["e".repeat(32)]);
  });

  it("refuses a wrong key and counts every request", async () => {
    const { url } = endpointOf(sentry.dsn());
    const refused = await fetch(`${url}?sentry_key=nope`, { method: "POST", body: envelopeFor({ event_id: "d" }) });
    expect(refused.status).toBe(401);
    expect(sentry.events()).toEqual([]);
    expect(sentry.requestCount()).toBe(1);
  });
});
