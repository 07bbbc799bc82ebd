import { createServer, type IncomingMessage, type Server } from "node:http";
import { connect, type AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fieldsBeforeFile } from "./multipart-head.server";

// Answers with the fields read before the file, as JSON, and how long reading them took.
let server: Server;
let port: number;

beforeAll(async () => {
  server = createServer((req, res) => {
    const started = Date.now();
    void fieldsBeforeFile(req, req.headers["content-type"] ?? "").then((fields) => {
      res.setHeader("connection", "close");
      res.end(JSON.stringify({ fields, ms: Date.now() - started }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const BOUNDARY = "----test";
const field = (name: string, value: string) =>
  `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
const fileHead = `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.ics"\r\nContent-Type: text/calendar\r\n\r\n`;

/** Sends a post's head and `body`, claiming `length` bytes; answers what the server said. */
function post(body: string, length: number): Promise<{ fields: [string, string][]; ms: number }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => {
      socket.write(
        `POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=${BOUNDARY}\r\n` +
          `Content-Length: ${length}\r\n\r\n${body}`,
      );
    });
    let answer = "";
    socket.on("data", (chunk: Buffer) => {
      answer += chunk.toString();
      const json = answer.slice(answer.indexOf("\r\n\r\n") + 4);
      if (json.endsWith("}")) {
        socket.destroy();
        resolve(JSON.parse(json) as { fields: [string, string][]; ms: number });
      }
    });
    socket.on("error", reject);
  });
}

describe("the fields a refused multipart post carries before its file", () => {
  it("are read up to the file and not past it", async () => {
    const body = field("intent", "import") + field("restoreDeleted", "on") + fileHead + "BEGIN:VCALENDAR\r\n";
    const { fields } = await post(body + field("after", "x"), 3_000_000);
    expect(fields).toEqual([
      ["intent", "import"],
      ["restoreDeleted", "on"],
    ]);
  });

  it("are given up on after two seconds from a client that stops sending (what came by then)", async () => {
    // The next part's headers cut short: the file is not reached.
    const { fields, ms } = await post(`${field("restoreDeleted", "on")}--${BOUNDARY}\r\nContent-Disp`, 3_000_000);
    expect(fields).toEqual([["restoreDeleted", "on"]]);
    expect(ms).toBeGreaterThanOrEqual(1_900);
    expect(ms).toBeLessThan(4_000);
  });

  it("are not looked for past the first 16 KiB", async () => {
    const padding = Array.from({ length: 20 }, (_, index) => field(`padding${index}`, "a".repeat(900))).join("");
    const { fields, ms } = await post(`${padding}${field("restoreDeleted", "on")}--${BOUNDARY}\r\n`, 3_000_000);
    expect(fields.length).toBeGreaterThan(0);
    expect(fields.map(([name]) => name)).not.toContain("restoreDeleted");
    expect(ms).toBeLessThan(1_500);
  });
});

describe("the fields of a post whose client is gone already", () => {
  it("are none, at once: its 'close' has fired and nothing more comes", async () => {
    const req = new Readable({ read() {} });
    req.destroy();
    await new Promise((resolve) => setImmediate(resolve));
    const started = Date.now();
    const fields = await fieldsBeforeFile(req as IncomingMessage, `multipart/form-data; boundary=${BOUNDARY}`);
    expect(fields).toEqual([]);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
