/**
 * A TCP proxy in front of PostgreSQL that can lose one connection at the worst moment: right after the
 * server applied a COMMIT, before its answer reaches the client. Nothing short of a network fault
 * produces this (the client cannot know whether its transaction is durable), and the send path has a
 * branch for it. The proxy reads the frontend protocol only as far as it must: Parse/Bind to know which
 * statement a transaction ran, and simple-query COMMITs.
 */
import net from "node:net";

export type CommitCutProxy = {
  url: string;
  /** Cut the connection after the next COMMIT of a transaction that ran a statement containing `marker`. */
  armAfterCommitOf: (marker: string) => void;
  /** How many connections were cut so far. */
  readonly cuts: number;
  close: () => Promise<void>;
};

/** Splits a buffer into whole protocol messages (type byte + Int32 length), keeping the rest. */
function takeMessages(buffer: Buffer): { messages: Array<{ type: string; body: Buffer }>; rest: Buffer } {
  const messages: Array<{ type: string; body: Buffer }> = [];
  let offset = 0;
  while (buffer.length - offset >= 5) {
    const length = buffer.readInt32BE(offset + 1);
    if (buffer.length - offset < 1 + length) break;
    messages.push({
      type: String.fromCharCode(buffer[offset]!),
      body: buffer.subarray(offset + 5, offset + 1 + length),
    });
    offset += 1 + length;
  }
  return { messages, rest: buffer.subarray(offset) };
}

const cstrings = (body: Buffer): string[] => body.toString("utf8").split("\0");

export async function startCommitCutProxy(targetUrl: string): Promise<CommitCutProxy> {
  const target = new URL(targetUrl);
  let marker: string | null = null;
  let cuts = 0;
  const sockets = new Set<net.Socket>();

  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    sockets.add(client).add(upstream);
    const statements = new Map<string, string>();
    let started = false;
    let fromClient: Buffer = Buffer.alloc(0);
    let ranMarker = false;
    let cutting = false;
    const cut = () => {
      cuts += 1;
      client.destroy();
      upstream.destroy();
    };

    client.on("data", (chunk: Buffer) => {
      upstream.write(chunk);
      fromClient = Buffer.concat([fromClient, chunk]);
      if (!started) {
        // The startup message has no type byte. An SSLRequest would come first: the proxy reads plain
        // text only, so it refuses one rather than misread what follows.
        if (fromClient.length >= 8 && fromClient.readInt32BE(0) === 8 && fromClient.readInt32BE(4) === 80877103) {
          throw new Error("pg-commit-cut-proxy reads unencrypted connections only (sslmode=disable)");
        }
        if (fromClient.length < 4 || fromClient.length < fromClient.readInt32BE(0)) return;
        fromClient = fromClient.subarray(fromClient.readInt32BE(0));
        started = true;
      }
      const { messages, rest } = takeMessages(fromClient);
      fromClient = rest;
      for (const { type, body } of messages) {
        if (type === "P") {
          const [name = "", text = ""] = cstrings(body);
          statements.set(name, text);
        } else if (type === "B") {
          const [, name = ""] = cstrings(body);
          if (marker && statements.get(name)?.includes(marker)) ranMarker = true;
        } else if (type === "Q") {
          const [query = ""] = cstrings(body);
          if (/^\s*COMMIT\b/i.test(query) && ranMarker && marker) {
            marker = null;
            cutting = true;
          }
          if (/^\s*(COMMIT|ROLLBACK)\b/i.test(query)) ranMarker = false;
        }
      }
    });

    let fromServer: Buffer = Buffer.alloc(0);
    upstream.on("data", (chunk: Buffer) => {
      // Once cutting, nothing more reaches the client: above all not the COMMIT's answer.
      if (!cutting) client.write(chunk);
      fromServer = Buffer.concat([fromServer, chunk]);
      const { messages, rest } = takeMessages(fromServer);
      fromServer = rest;
      for (const { type, body } of messages) {
        if (type !== "Z") continue;
        // Ready again after the held-back COMMIT: it is applied, and the client never hears so.
        if (cutting) return cut();
        // Ready outside any transaction ('I'): a marked statement that ran in autocommit is over, and
        // must not get the next COMMIT on this connection cut.
        if (body[0] === 0x49) ranMarker = false;
      }
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  const url = new URL(targetUrl);
  url.hostname = "127.0.0.1";
  url.port = String(port);
  return {
    url: url.toString(),
    armAfterCommitOf: (text) => {
      marker = text;
    },
    get cuts() {
      return cuts;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
