import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";

/**
 * The one typed view of ARES's environment. Parsed once at start-up; an invalid or incomplete
 * environment stops the process with a message naming every offending variable.
 *
 * Modes: `local` (NODE_ENV unset — the embedded default, no secrets needed), `development`
 * (`npm run dev`), `test`, and `production` (every secret required).
 */
export type Mode = "local" | "development" | "test" | "production";

// Values copied from .env.example or tutorials must never protect a production instance.
const PLACEHOLDER_SECRETS = new Set([
  "changeme",
  "change-me",
  "change_me",
  "replace-me",
  "secret",
  "password",
  "default",
  "test",
  "example",
  "your-secret-here",
]);

function isPlaceholder(value: string): boolean {
  const normalised = value.trim().toLowerCase();
  return (
    PLACEHOLDER_SECRETS.has(normalised) || normalised.startsWith("replace-me") || normalised.startsWith("changeme")
  );
}

const optionalString = z
  .string()
  .trim()
  .transform((value) => (value === "" ? undefined : value))
  .optional();

const booleanFlag = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .transform((value) => value === "true" || value === "1" || value === "yes");

const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).optional(),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: optionalString,
  DATABASE_URL: optionalString.pipe(
    z.url({ protocol: /^postgres(ql)?$/, error: "must be a postgresql:// URL" }).optional(),
  ),
  ARES_DATA_DIR: z.string().trim().min(1).default("./data"),
  DB_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  DB_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).default(15_000),
  SESSION_SECRET: optionalString,
  INTERNAL_API_KEY: optionalString,
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).optional(),
  LOG_PRETTY: booleanFlag.optional(),
  ARES_SKIP_MIGRATIONS: booleanFlag.default(false),
});

export type Config = {
  mode: Mode;
  port: number;
  host: string;
  /** Unset means the embedded PGlite database in `dataDir`. */
  databaseUrl: string | undefined;
  dataDir: string;
  dbPoolMax: number;
  dbStatementTimeoutMs: number;
  /** Newest first; older ones still verify cookies during a rotation. */
  sessionSecrets: string[];
  internalApiKey: string | undefined;
  logLevel: string;
  logPretty: boolean;
  skipMigrations: boolean;
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

function modeFrom(nodeEnv: string | undefined): Mode {
  if (nodeEnv === "production") return "production";
  if (nodeEnv === "development") return "development";
  if (nodeEnv === "test") return "test";
  return "local";
}

/** A secret made on first start and kept in the data folder, so local mode needs no setup. */
function localSessionSecret(dataDir: string): string {
  const file = path.join(dataDir, "session-secret");
  if (fs.existsSync(file)) return fs.readFileSync(file, "utf8").trim();
  fs.mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString("base64url");
  fs.writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: "wx" });
  return secret;
}

export type Environment = Record<string, string | undefined>;

export function parseConfig(env: Environment = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`));
  }
  const values = parsed.data;
  const mode = modeFrom(values.NODE_ENV);
  const problems: string[] = [];
  const sessionSecrets = (values.SESSION_SECRET ?? "")
    .split(",")
    .map((secret) => secret.trim())
    .filter(Boolean);

  if (mode === "production") {
    if (sessionSecrets.length === 0) problems.push("SESSION_SECRET is required in production");
    else if (sessionSecrets.some(isPlaceholder)) problems.push("SESSION_SECRET is a placeholder value");
    else if (sessionSecrets[0]!.length < 32) problems.push("SESSION_SECRET must be at least 32 characters");
    if (!values.INTERNAL_API_KEY) problems.push("INTERNAL_API_KEY is required in production");
    else if (isPlaceholder(values.INTERNAL_API_KEY)) problems.push("INTERNAL_API_KEY is a placeholder value");
    else if (values.INTERNAL_API_KEY.length < 24) problems.push("INTERNAL_API_KEY must be at least 24 characters");
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const dataDir = path.resolve(values.ARES_DATA_DIR);
  if (sessionSecrets.length === 0) {
    // Tests get a throwaway secret so they never write to the data folder.
    sessionSecrets.push(mode === "test" ? randomBytes(32).toString("base64url") : localSessionSecret(dataDir));
  }

  return {
    mode,
    port: values.PORT,
    host: values.HOST ?? (mode === "production" ? "0.0.0.0" : "127.0.0.1"),
    databaseUrl: values.DATABASE_URL,
    dataDir,
    dbPoolMax: values.DB_POOL_MAX,
    dbStatementTimeoutMs: values.DB_STATEMENT_TIMEOUT_MS,
    sessionSecrets,
    internalApiKey: values.INTERNAL_API_KEY,
    logLevel: values.LOG_LEVEL ?? (mode === "test" ? "warn" : "info"),
    logPretty: values.LOG_PRETTY ?? (mode === "local" || mode === "development"),
    skipMigrations: values.ARES_SKIP_MIGRATIONS,
  };
}

let current: Config | undefined;

/** The configuration of this process, parsed on first use. */
export function config(): Config {
  current ??= parseConfig();
  return current;
}
