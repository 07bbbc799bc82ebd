import { spawn } from "node:child_process";
import http from "node:http";
import net from "node:net";

export type HttpResult = { status: number; headers: http.IncomingHttpHeaders; body: string };

/**
 * A raw HTTP request: unlike fetch(), it may set Host and sends no Accept-Encoding unless told to.
 * `path` is sent exactly as given (a URL would normalise `/./`, `%2e%2e` and `\\` away).
 */
export function httpRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer; path?: string } = {},
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const init = {
      method: options.method ?? "GET",
      headers: options.headers,
      ...(options.path ? { path: options.path } : {}),
    };
    const request = http.request(url, init, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (body += chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
    });
    request.on("error", reject);
    request.end(options.body);
  });
}

/** A port nothing listens on (bound, read, released). */
export function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export type RedisProcess = { url: string; stop: () => Promise<void> };

/** A private, throwaway redis-server on a free port (never the machine's shared one). */
export async function startRedis(): Promise<RedisProcess> {
  const port = await closedPort();
  const child = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const exited = new Promise<void>((resolve) => child.on("close", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${output}`)), 10_000);
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Ready to accept connections")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on("error", reject);
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: async () => {
      child.kill("SIGKILL");
      await exited;
    },
  };
}

/** The value of one Prometheus sample, e.g. sample(text, 'ares_rate_limit_rejections_total{tier="read"}'). */
export function sample(metrics: string, series: string): number | undefined {
  const line = metrics.split("\n").find((candidate) => candidate.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : undefined;
}

/**
 * Where a spawned server keeps its data: this test file's own PostgreSQL database when the suite runs
 * on a server, else a fresh embedded data folder.
 */
export function databaseEnv(dataDir: string): Record<string, string> {
  return process.env.ARES_EMBEDDED_DB === "1"
    ? { ARES_DATA_DIR: dataDir }
    : { DATABASE_URL: process.env.DATABASE_URL! };
}
