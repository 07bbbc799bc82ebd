/** HTTP pieces the stand-in servers share: bounded body reading, JSON answers, form/query parsing. */
import type { IncomingMessage, ServerResponse } from "node:http";

export class BodyTooLarge extends Error {}

/** The request body as text, refusing more than `limitBytes` (the connection is not read further). */
export async function readBody(req: IncomingMessage, limitBytes: number): Promise<string> {
  return (await readBodyBytes(req, limitBytes)).toString("utf8");
}

/** The request body as bytes (e.g. compressed), with the same limit. */
export function readBodyBytes(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) {
        req.pause();
        reject(new BodyTooLarge(`body over ${limitBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/**
 * A request's parameters the way HTTP APIs such as Telegram's accept them: the query string, then a JSON
 * or form-encoded body on top. Undefined when the body claims JSON but is not.
 */
export function requestParameters(req: IncomingMessage, body: string): Record<string, unknown> | undefined {
  const url = new URL(req.url ?? "/", "http://stand-in");
  const parameters: Record<string, unknown> = Object.fromEntries(url.searchParams);
  const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
  if (body === "") return parameters;
  if (type === "application/json") {
    try {
      const parsed: unknown = JSON.parse(body);
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return undefined;
      return { ...parameters, ...(parsed as Record<string, unknown>) };
    } catch {
      return undefined;
    }
  }
  if (type === "application/x-www-form-urlencoded") {
    return { ...parameters, ...Object.fromEntries(new URLSearchParams(body)) };
  }
  return parameters;
}
