import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { remember } from "@epic-web/remember";
import packageJson from "../../package.json";
import { MAX_ENV_QUOTA_LIMIT } from "~/chat/quota-limits";
import { DEVELOPER_WORDING } from "~/validation/messages";

declare const __ARES_COMMIT__: string | undefined;

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

/** Fewer different characters than this is a pattern, not a secret (`aaaa…`, `abcabc…`). */
const MIN_DISTINCT_SECRET_CHARACTERS = 16;

function isLowEntropy(value: string): boolean {
  return new Set(value).size < MIN_DISTINCT_SECRET_CHARACTERS;
}

const optionalString = z
  .string()
  .trim()
  .transform((value) => (value === "" ? undefined : value))
  .optional();

const booleanFlag = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .transform((value) => value === "true" || value === "1" || value === "yes");

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

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
  // Accounts: local email + password sign-in, and Auth0 when its three variables are set.
  LOCAL_LOGIN: booleanFlag.default(true),
  AUTH0_DOMAIN: optionalString.pipe(
    z
      .string()
      .regex(/^[a-z0-9.-]+(:\d+)?$/i, "must be a host name such as tenant.eu.auth0.com (no https://)")
      .optional(),
  ),
  AUTH0_CLIENT_ID: optionalString,
  AUTH0_CLIENT_SECRET: optionalString,
  AUTH0_CALLBACK_URL: optionalString.pipe(z.url().optional()),
  AUTH0_ROLES_CLAIM: optionalString,
  // IdP role names that make an ARES admin, compared exactly (comma-separated).
  AUTH0_ADMIN_ROLES: z.string().trim().min(1).default("admin"),
  AUTH0_MGMT_CLIENT_ID: optionalString,
  AUTH0_MGMT_CLIENT_SECRET: optionalString,
  AUTH0_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  // Chat quotas: messages a person may send per minute, and tokens per UTC day (0 = no limit).
  CHAT_MESSAGES_PER_MINUTE: z.coerce
    .number()
    .int()
    .min(0)
    .max(MAX_ENV_QUOTA_LIMIT, `must be at most ${MAX_ENV_QUOTA_LIMIT.toLocaleString("en")} messages (0 = no limit)`)
    .default(20),
  CHAT_DAILY_TOKEN_BUDGET: z.coerce
    .number()
    .int()
    .min(0)
    .max(MAX_ENV_QUOTA_LIMIT, `must be at most ${MAX_ENV_QUOTA_LIMIT.toLocaleString("en")} tokens (0 = no limit)`)
    .default(500_000),
  // Operations: proxies, hosts, shutdown, metrics, rate limits, logs, backups, dependency URLs.
  TRUST_PROXY: optionalString,
  ALLOWED_HOSTS: optionalString,
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(10_000),
  // Background jobs (pg-boss): how often idle workers poll, LISTEN/NOTIFY (PostgreSQL only; not behind
  // PgBouncer in transaction mode), the time zone of cron schedules, and whether this process works jobs.
  JOBS_POLL_INTERVAL_MS: z.coerce.number().int().min(500).max(60_000).default(1_000),
  JOBS_LISTEN_NOTIFY: booleanFlag.default(false),
  JOBS_TIME_ZONE: z
    .string()
    .trim()
    .min(1)
    .default("UTC")
    .refine(isTimeZone, "must be an IANA time zone such as Europe/Berlin"),
  JOBS_WORKER: booleanFlag.default(true),
  JOBS_BATCH_SIZE: z.coerce.number().int().min(1).max(100).default(5),
  JOBS_POOL_MAX: z.coerce.number().int().min(1).max(50).default(3),
  METRICS_TOKEN: optionalString,
  REDIS_URL: optionalString.pipe(z.url({ protocol: /^rediss?$/, error: "must be a redis:// URL" }).optional()),
  RATE_LIMIT_READ_PER_MINUTE: z.coerce.number().int().min(0).default(300),
  RATE_LIMIT_WRITE_PER_MINUTE: z.coerce.number().int().min(0).default(60),
  RATE_LIMIT_AUTH_PER_15_MINUTES: z.coerce.number().int().min(0).default(20),
  // Largest request body an action reads (bytes); larger ones are refused with 413 unread.
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(1_048_576),
  RATE_LIMIT_REDIS_PREFIX: z.string().trim().min(1).default("ares:rl:"),
  LOG_FILE: optionalString,
  BACKUP_DIR: z.string().trim().min(1).default("./backups"),
  BACKUP_KEEP: z.coerce.number().int().min(1).default(14),
  HEALTH_CHECK_TIMEOUT_MS: z.coerce.number().int().min(100).default(2_000),
  HEALTH_CACHE_MS: z.coerce.number().int().min(0).default(5_000),
  OPENROUTER_API_KEY: optionalString,
  OPENROUTER_BASE_URL: optionalString.pipe(z.url().optional()),
  OLLAMA_URL: optionalString.pipe(z.url().optional()),
  // Chat models: which provider answers first, default models, and how long to wait for them.
  OPENROUTER_MODEL: z.string().trim().min(1).default("openrouter/auto"),
  OLLAMA_MODEL: z.string().trim().min(1).default("llama3.2"),
  LLM_PRIMARY_PROVIDER: optionalString.pipe(z.enum(["openrouter", "ollama"]).optional()),
  LLM_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).default(60_000),
  LLM_STREAM_IDLE_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),
  // The assistant's calendar tools; off for models that mishandle tools (the prompt keeps the 7-day block).
  LLM_TOOLS: booleanFlag.default(true),
  // Calendar subscriptions to external .ics URLs: fetches to private, loopback and link-local addresses
  // are refused unless allowed (a subscription URL must not reach this machine's or the LAN's services).
  CALENDAR_SUBSCRIPTION_ALLOW_PRIVATE: booleanFlag.default(false),
  CALENDAR_SUBSCRIPTION_TIMEOUT_MS: z.coerce.number().int().min(100).default(15_000),
  TELEGRAM_BOT_TOKEN: optionalString.pipe(
    z
      .string()
      .regex(/^\d+:[\w-]{1,100}$/, { error: "must look like 123456:ABC-def (from @BotFather)" })
      .optional(),
  ),
  TELEGRAM_API_BASE: optionalString.pipe(z.url().optional()),
  PUBLIC_URL: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
  // Error reporting to Sentry or GlitchTip: off unless a DSN is set (nothing is loaded or sent then).
  SENTRY_DSN: optionalString.pipe(
    z.url({ protocol: /^https?$/, error: "must be a Sentry DSN (https://key@host/1)" }).optional(),
  ),
  SENTRY_BROWSER_DSN: optionalString.pipe(
    z.url({ protocol: /^https?$/, error: "must be a Sentry DSN (https://key@host/1)" }).optional(),
  ),
  SENTRY_ENVIRONMENT: optionalString,
  SENTRY_TRACES_SAMPLE_RATE: z.coerce.number().min(0).max(1).default(0),
  // The commit this build was made from, when the build had no git checkout (e.g. a Docker build argument).
  ARES_COMMIT: optionalString.pipe(
    z
      .string()
      .regex(/^[0-9a-f]{7,40}$/i, "must be a git commit hash")
      .optional(),
  ),
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
  localLogin: boolean;
  chatQuota: { messagesPerMinute: number; dailyTokenBudget: number };
  /** Set when AUTH0_DOMAIN, AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET all are. */
  auth0: Auth0Config | undefined;
  /** Express's `trust proxy` setting: false, true, a hop count, or addresses/subnets. */
  trustProxy: boolean | number | string;
  /** Host names (without port) this instance answers to; empty = any. */
  allowedHosts: string[];
  shutdownGraceMs: number;
  jobs: {
    pollIntervalMs: number;
    listenNotify: boolean;
    timeZone: string;
    /** false: this process sends jobs and serves /admin/jobs, but another one works them. */
    worker: boolean;
    batchSize: number;
    /** Connections pg-boss opens on PostgreSQL (the embedded database shares the app's one). */
    poolMax: number;
  };
  metricsToken: string | undefined;
  redisUrl: string | undefined;
  /** Requests per window for each rate-limit tier; 0 turns a tier off. */
  rateLimits: { readPerMinute: number; writePerMinute: number; authPer15Minutes: number; redisPrefix: string };
  /** Largest request body read for an action, in bytes. */
  bodyLimitBytes: number;
  logFile: string | undefined;
  backupDir: string;
  backupKeep: number;
  healthCheckTimeoutMs: number;
  healthCacheMs: number;
  openrouterApiKey: string | undefined;
  openrouterBaseUrl: string;
  ollamaUrl: string;
  openrouterModel: string;
  ollamaModel: string;
  /** The provider tried first when a user has no preference: OpenRouter when it has a key, else Ollama. */
  llmPrimaryProvider: "openrouter" | "ollama";
  /** Longest wait for a model's first streamed chunk; past it the other provider is tried. */
  llmRequestTimeoutMs: number;
  /** Longest gap between streamed chunks once a reply is under way. */
  llmStreamIdleTimeoutMs: number;
  /** Whether replies offer the model tools (the calendar's); LLM_TOOLS. */
  llmTools: boolean;
  /** Fetching subscribed .ics calendars: the whole fetch's time limit, and whether private addresses may be reached. */
  calendarSubscriptions: { timeoutMs: number; allowPrivateAddresses: boolean };
  /** Set when TELEGRAM_BOT_TOKEN is: webhook mode when publicUrl is set, else long polling. */
  telegram: { botToken: string; apiBase: string } | undefined;
  /** The address people reach this instance at (webhooks are registered under it). */
  publicUrl: string | undefined;
  errorReporting: ErrorReportingConfig;
};

/** Sentry-compatible error reporting; each side is off while its DSN is unset. */
export type ErrorReportingConfig = {
  serverDsn: string | undefined;
  browserDsn: string | undefined;
  environment: string;
  /** `ares@<version>+<commit>`: tells a new bug from an old one. */
  release: string;
  /** Share of requests traced; 0 turns tracing off. */
  tracesSampleRate: number;
};

export type Auth0Config = {
  domain: string;
  clientId: string;
  clientSecret: string;
  /** Absolute callback URL; unset = derived from the request's own origin. */
  callbackUrl: string | undefined;
  rolesClaim: string | undefined;
  /** IdP role names that make an admin; matched exactly, never by substring. */
  adminRoles: string[];
  management: { clientId: string; clientSecret: string } | undefined;
  timeoutMs: number;
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

/** One throwaway secret per process, kept across dev hot reloads so signed cookies stay valid. */
function ephemeralSecret(): string {
  return remember("ares-ephemeral-secret", () => randomBytes(32).toString("base64url"));
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

/** "true"/"false", a hop count, or a comma-separated list of addresses/subnets, as Express accepts. */
function parseTrustProxy(value: string | undefined): boolean | number | string {
  if (value === undefined || value === "false" || value === "0") return false;
  if (value === "true") return true;
  if (/^\d+$/.test(value)) return Number(value);
  return value;
}

export type Environment = Record<string, string | undefined>;

/**
 * `VAR=` (as left in a copied .env file) means "not set": the default applies. Read as a number it
 * would be 0, which for many settings means "off" or "unlimited".
 */
function withoutBlankValues(env: Environment): Environment {
  return Object.fromEntries(Object.entries(env).filter(([, value]) => value === undefined || value.trim() !== ""));
}

export function parseConfig(env: Environment = process.env): Config {
  const parsed = envSchema.safeParse(withoutBlankValues(env), DEVELOPER_WORDING);
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
    else if (sessionSecrets.some(isLowEntropy)) {
      problems.push(
        `SESSION_SECRET is too predictable: use at least ${MIN_DISTINCT_SECRET_CHARACTERS} different characters (openssl rand -base64 48)`,
      );
    }
    if (!values.INTERNAL_API_KEY) problems.push("INTERNAL_API_KEY is required in production");
    else if (isPlaceholder(values.INTERNAL_API_KEY)) problems.push("INTERNAL_API_KEY is a placeholder value");
    else if (values.INTERNAL_API_KEY.length < 24) problems.push("INTERNAL_API_KEY must be at least 24 characters");
    else if (isLowEntropy(values.INTERNAL_API_KEY)) {
      problems.push(
        `INTERNAL_API_KEY is too predictable: use at least ${MIN_DISTINCT_SECRET_CHARACTERS} different characters (openssl rand -hex 32)`,
      );
    }
    if (values.METRICS_TOKEN && isLowEntropy(values.METRICS_TOKEN)) {
      problems.push(
        `METRICS_TOKEN is too predictable: use at least ${MIN_DISTINCT_SECRET_CHARACTERS} different characters (openssl rand -hex 32)`,
      );
    }
  }
  const auth0Values = [values.AUTH0_DOMAIN, values.AUTH0_CLIENT_ID, values.AUTH0_CLIENT_SECRET];
  if (auth0Values.some(Boolean) && !auth0Values.every(Boolean)) {
    problems.push("AUTH0_DOMAIN, AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET must be set together");
  }
  if (Boolean(values.AUTH0_MGMT_CLIENT_ID) !== Boolean(values.AUTH0_MGMT_CLIENT_SECRET)) {
    problems.push("AUTH0_MGMT_CLIENT_ID and AUTH0_MGMT_CLIENT_SECRET must be set together");
  }
  if (!values.LOCAL_LOGIN && !values.AUTH0_DOMAIN) {
    problems.push(
      "LOCAL_LOGIN=false needs Auth0 (AUTH0_DOMAIN, AUTH0_CLIENT_ID, AUTH0_CLIENT_SECRET): nobody could sign in",
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const dataDir = path.resolve(values.ARES_DATA_DIR);
  if (sessionSecrets.length === 0) {
    // Tests get a throwaway secret so they never write to the data folder.
    sessionSecrets.push(mode === "test" ? ephemeralSecret() : localSessionSecret(dataDir));
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
    localLogin: values.LOCAL_LOGIN,
    chatQuota: { messagesPerMinute: values.CHAT_MESSAGES_PER_MINUTE, dailyTokenBudget: values.CHAT_DAILY_TOKEN_BUDGET },
    auth0:
      values.AUTH0_DOMAIN && values.AUTH0_CLIENT_ID && values.AUTH0_CLIENT_SECRET
        ? {
            domain: values.AUTH0_DOMAIN,
            clientId: values.AUTH0_CLIENT_ID,
            clientSecret: values.AUTH0_CLIENT_SECRET,
            callbackUrl: values.AUTH0_CALLBACK_URL,
            rolesClaim: values.AUTH0_ROLES_CLAIM,
            adminRoles: values.AUTH0_ADMIN_ROLES.split(",")
              .map((role) => role.trim())
              .filter(Boolean),
            management:
              values.AUTH0_MGMT_CLIENT_ID && values.AUTH0_MGMT_CLIENT_SECRET
                ? { clientId: values.AUTH0_MGMT_CLIENT_ID, clientSecret: values.AUTH0_MGMT_CLIENT_SECRET }
                : undefined,
            timeoutMs: values.AUTH0_TIMEOUT_MS,
          }
        : undefined,
    trustProxy: parseTrustProxy(values.TRUST_PROXY),
    allowedHosts: (values.ALLOWED_HOSTS ?? "")
      .split(",")
      .map((host) => host.trim().toLowerCase())
      .filter(Boolean),
    shutdownGraceMs: values.SHUTDOWN_GRACE_MS,
    jobs: {
      pollIntervalMs: values.JOBS_POLL_INTERVAL_MS,
      listenNotify: values.JOBS_LISTEN_NOTIFY,
      timeZone: values.JOBS_TIME_ZONE,
      worker: values.JOBS_WORKER,
      batchSize: values.JOBS_BATCH_SIZE,
      poolMax: values.JOBS_POOL_MAX,
    },
    metricsToken: values.METRICS_TOKEN,
    redisUrl: values.REDIS_URL,
    rateLimits: {
      readPerMinute: values.RATE_LIMIT_READ_PER_MINUTE,
      writePerMinute: values.RATE_LIMIT_WRITE_PER_MINUTE,
      authPer15Minutes: values.RATE_LIMIT_AUTH_PER_15_MINUTES,
      redisPrefix: values.RATE_LIMIT_REDIS_PREFIX,
    },
    bodyLimitBytes: values.BODY_LIMIT_BYTES,
    logFile: values.LOG_FILE ? path.resolve(values.LOG_FILE) : undefined,
    backupDir: path.resolve(values.BACKUP_DIR),
    backupKeep: values.BACKUP_KEEP,
    healthCheckTimeoutMs: values.HEALTH_CHECK_TIMEOUT_MS,
    healthCacheMs: values.HEALTH_CACHE_MS,
    openrouterApiKey: values.OPENROUTER_API_KEY,
    openrouterBaseUrl: (values.OPENROUTER_BASE_URL ?? "https://openrouter.ai/api/v1").replace(/\/+$/, ""),
    calendarSubscriptions: {
      timeoutMs: values.CALENDAR_SUBSCRIPTION_TIMEOUT_MS,
      allowPrivateAddresses: values.CALENDAR_SUBSCRIPTION_ALLOW_PRIVATE,
    },
    ollamaUrl: (values.OLLAMA_URL ?? "http://127.0.0.1:11434").replace(/\/+$/, ""),
    openrouterModel: values.OPENROUTER_MODEL,
    ollamaModel: values.OLLAMA_MODEL,
    llmPrimaryProvider: values.LLM_PRIMARY_PROVIDER ?? (values.OPENROUTER_API_KEY ? "openrouter" : "ollama"),
    llmRequestTimeoutMs: values.LLM_REQUEST_TIMEOUT_MS,
    llmStreamIdleTimeoutMs: values.LLM_STREAM_IDLE_TIMEOUT_MS,
    llmTools: values.LLM_TOOLS,
    telegram: values.TELEGRAM_BOT_TOKEN
      ? {
          botToken: values.TELEGRAM_BOT_TOKEN,
          apiBase: (values.TELEGRAM_API_BASE ?? "https://api.telegram.org").replace(/\/+$/, ""),
        }
      : undefined,
    publicUrl: values.PUBLIC_URL?.replace(/\/+$/, ""),
    errorReporting: {
      serverDsn: values.SENTRY_DSN,
      browserDsn: values.SENTRY_BROWSER_DSN,
      environment: values.SENTRY_ENVIRONMENT ?? mode,
      release: releaseName(values.ARES_COMMIT ?? buildCommit()),
      tracesSampleRate: values.SENTRY_TRACES_SAMPLE_RATE,
    },
  };
}

/** The commit vite.config.ts stamped into the build (`git rev-parse`), absent outside a build or a checkout. */
function buildCommit(): string | undefined {
  return typeof __ARES_COMMIT__ === "string" && __ARES_COMMIT__ !== "" ? __ARES_COMMIT__ : undefined;
}

export function releaseName(commit: string | undefined): string {
  return commit ? `ares@${packageJson.version}+${commit.slice(0, 12)}` : `ares@${packageJson.version}`;
}

let current: Config | undefined;

/** The configuration of this process, parsed on first use. */
export function config(): Config {
  current ??= parseConfig();
  return current;
}
