import pino, { type Logger } from "pino";
import { config } from "~/config/env.server";

/** Keys whose values never reach a log line, wherever they sit in a logged object. */
const REDACTED_PATHS = [
  "req.headers.cookie",
  "req.headers.authorization",
  'res.headers["set-cookie"]',
  "*.password",
  "*.token",
  "*.apiKey",
  "*.secret",
  "password",
  "token",
];

function createLogger(): Logger {
  const { logLevel, logPretty, mode } = config();
  return pino({
    level: logLevel,
    base: { service: "ares", mode },
    redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
    transport: logPretty
      ? {
          target: "pino-pretty",
          options: { colorize: true, translateTime: "SYS:HH:MM:ss.l", ignore: "pid,hostname,service,mode" },
        }
      : undefined,
  });
}

const globalForLogger = globalThis as typeof globalThis & { __aresLogger?: Logger };

/** The process-wide structured logger; child loggers add a request id or a domain name. */
export const logger: Logger = (globalForLogger.__aresLogger ??= createLogger());
