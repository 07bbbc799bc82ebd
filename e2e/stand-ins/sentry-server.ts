/**
 * Stand-in Sentry ingest: accepts envelopes at `/api/<project>/envelope/` the way Sentry and GlitchTip
 * do (auth by `X-Sentry-Auth` or `?sentry_key=`, gzip or plain bodies, CORS for browsers) and records
 * every item, so tests can assert what ARES reports — and, above all, what it never sends.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { gunzipSync, inflateSync } from "node:zlib";
import { readBodyBytes } from "./http";

const MAX_ENVELOPE_BYTES = 20 * 1024 * 1024;

export type EnvelopeItem = { type: string; header: Record<string, unknown>; payload: unknown };
export type Envelope = {
  projectId: string;
  publicKey: string;
  header: Record<string, unknown>;
  items: EnvelopeItem[];
  /** The envelope exactly as received (after decompression), for "this text never appears" checks. */
  raw: string;
  origin: string | undefined;
};

export interface StandInSentry {
  url: string;
  /** A DSN for project `projectId` on this server. */
  dsn(projectId?: string): string;
  envelopes: Envelope[];
  /** Every `event` item's payload (errors), in arrival order. */
  events(): Array<Record<string, unknown>>;
  /** Total requests received, including refused ones. */
  requestCount(): number;
  reset(): void;
  close(): Promise<void>;
}

const PUBLIC_KEY = "0123456789abcdef0123456789abcdef";
/** `GET` lists every envelope recorded so far as JSON. */
export const RECORDED_PATH = "/__recorded";

function decompress(body: Buffer, encoding: string | undefined): string {
  if (encoding === "gzip") return gunzipSync(body).toString("utf8");
  if (encoding === "deflate") return inflateSync(body).toString("utf8");
  return body.toString("utf8");
}

/**
 * Sentry's envelope format: a JSON header line, then items, each a JSON header line and a payload of
 * `length` bytes (or up to the next newline when the header has no length).
 */
export function parseEnvelope(text: string): { header: Record<string, unknown>; items: EnvelopeItem[] } {
  const buffer = Buffer.from(text, "utf8");
  let at = 0;
  const readLine = (): string => {
    const end = buffer.indexOf(0x0a, at);
    const line = buffer.subarray(at, end === -1 ? buffer.length : end).toString("utf8");
    at = end === -1 ? buffer.length : end + 1;
    return line;
  };
  const header = JSON.parse(readLine()) as Record<string, unknown>;
  const items: EnvelopeItem[] = [];
  while (at < buffer.length) {
    const line = readLine();
    if (line.trim() === "") continue;
    const itemHeader = JSON.parse(line) as Record<string, unknown>;
    let payloadText: string;
    if (typeof itemHeader.length === "number") {
      payloadText = buffer.subarray(at, at + itemHeader.length).toString("utf8");
      at += itemHeader.length;
      if (buffer[at] === 0x0a) at += 1;
    } else {
      payloadText = readLine();
    }
    let payload: unknown = payloadText;
    try {
      payload = JSON.parse(payloadText);
    } catch {
      // attachments and the like stay text
    }
    items.push({ type: String(itemHeader.type), header: itemHeader, payload });
  }
  return { header, items };
}

function publicKeyOf(req: IncomingMessage, url: URL): string | undefined {
  const fromQuery = url.searchParams.get("sentry_key");
  if (fromQuery) return fromQuery;
  const auth = req.headers["x-sentry-auth"];
  const match = typeof auth === "string" ? /sentry_key=([^,\s]+)/.exec(auth) : null;
  return match?.[1];
}

function cors(res: ServerResponse, origin: string | undefined): void {
  res.setHeader("Access-Control-Allow-Origin", origin ?? "*");
  res.setHeader("Access-Control-Allow-Methods", "POST, OPTIONS");
  res.setHeader("Access-Control-Allow-Headers", "Content-Type, X-Sentry-Auth");
}

export async function startStandInSentry(
  options: { port?: number; onEnvelope?: (envelope: Envelope) => void } = {},
): Promise<StandInSentry> {
  const envelopes: Envelope[] = [];
  const sockets = new Set<Socket>();
  let requests = 0;

  const server = createServer((req, res) => {
    requests += 1;
    const url = new URL(req.url ?? "/", "http://stand-in");
    const origin = req.headers.origin;
    cors(res, origin);
    if (req.method === "OPTIONS") {
      res.writeHead(204).end();
      return;
    }
    // For tests in another process (Playwright) and local checks: what has been recorded so far.
    if (req.method === "GET" && url.pathname === RECORDED_PATH) {
      res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify(envelopes));
      return;
    }
    const route = /^\/api\/(\d+)\/envelope\/?$/.exec(url.pathname);
    if (!route || req.method !== "POST") {
      res.writeHead(404).end();
      return;
    }
    const publicKey = publicKeyOf(req, url);
    if (publicKey !== PUBLIC_KEY) {
      res.writeHead(401, { "Content-Type": "application/json" }).end('{"detail":"invalid public key"}');
      return;
    }
    readBodyBytes(req, MAX_ENVELOPE_BYTES)
      .then((body) => {
        const raw = decompress(body, req.headers["content-encoding"]);
        const { header, items } = parseEnvelope(raw);
        const envelope = { projectId: route[1]!, publicKey, header, items, raw, origin };
        envelopes.push(envelope);
        options.onEnvelope?.(envelope);
        const eventId = typeof header.event_id === "string" ? header.event_id : undefined;
        res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify(eventId ? { id: eventId } : {}));
      })
      .catch((error: unknown) => {
        res.writeHead(400, { "Content-Type": "application/json" }).end(JSON.stringify({ detail: String(error) }));
      });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    dsn: (projectId = "1") => `http://${PUBLIC_KEY}@127.0.0.1:${port}/${projectId}`,
    envelopes,
    events: () =>
      envelopes.flatMap((envelope) =>
        envelope.items.filter((item) => item.type === "event").map((item) => item.payload as Record<string, unknown>),
      ),
    requestCount: () => requests,
    reset() {
      envelopes.length = 0;
      requests = 0;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
