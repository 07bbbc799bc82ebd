import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig, type Environment } from "./env.server";

function problemsOf(env: Environment): string[] {
  try {
    parseConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

const strongSecret = "s".repeat(20) + "0123456789abcdef";

describe("configuration", () => {
  it("refuses production without secrets, naming each missing variable", () => {
    const problems = problemsOf({ NODE_ENV: "production" });
    expect(problems.join("\n")).toContain("SESSION_SECRET");
    expect(problems.join("\n")).toContain("INTERNAL_API_KEY");
  });

  it("rejects placeholder secrets in production", () => {
    const problems = problemsOf({
      NODE_ENV: "production",
      SESSION_SECRET: "changeme",
      INTERNAL_API_KEY: "replace-me-with-a-key",
    });
    expect(problems).toEqual(["SESSION_SECRET is a placeholder value", "INTERNAL_API_KEY is a placeholder value"]);
  });

  it("accepts production with real secrets and rotates through comma-separated session secrets", () => {
    const config = parseConfig({
      NODE_ENV: "production",
      SESSION_SECRET: `${strongSecret}, older-secret-still-valid-0123456789`,
      INTERNAL_API_KEY: "k0123456789abcdefghijklmnopqrstu",
    });
    expect(config.mode).toBe("production");
    expect(config.sessionSecrets).toEqual([strongSecret, "older-secret-still-valid-0123456789"]);
    expect(config.host).toBe("0.0.0.0");
  });

  it("finding 7: production refuses low-entropy secrets (one repeated character, fewer than 16 distinct)", () => {
    const weak = problemsOf({
      NODE_ENV: "production",
      SESSION_SECRET: "a".repeat(48),
      INTERNAL_API_KEY: "abcdefgh".repeat(4),
      METRICS_TOKEN: "x".repeat(40),
    });
    expect(weak).toEqual([
      expect.stringContaining("SESSION_SECRET is too predictable"),
      expect.stringContaining("INTERNAL_API_KEY is too predictable"),
      expect.stringContaining("METRICS_TOKEN is too predictable"),
    ]);
    // An older secret still in rotation signs cookies too: it must be strong as well.
    expect(
      problemsOf({
        NODE_ENV: "production",
        SESSION_SECRET: `${strongSecret},${"b".repeat(40)}`,
        INTERNAL_API_KEY: "k0123456789abcdefghijklmnopqrstu",
      }),
    ).toEqual([expect.stringContaining("SESSION_SECRET is too predictable")]);
  });

  it('finding 7: IdP admin roles are exact names from AUTH0_ADMIN_ROLES, "admin" by default', () => {
    const auth0 = { AUTH0_DOMAIN: "tenant.example", AUTH0_CLIENT_ID: "id", AUTH0_CLIENT_SECRET: "secret" };
    expect(parseConfig({ NODE_ENV: "test", ...auth0 }).auth0?.adminRoles).toEqual(["admin"]);
    expect(
      parseConfig({ NODE_ENV: "test", ...auth0, AUTH0_ADMIN_ROLES: "ares-admin, Owners" }).auth0?.adminRoles,
    ).toEqual(["ares-admin", "Owners"]);
  });

  it("local mode needs no secrets: it makes one once and keeps it in the data folder", () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "ares-config-"));
    const first = parseConfig({ ARES_DATA_DIR: dataDir });
    const second = parseConfig({ ARES_DATA_DIR: dataDir });
    expect(first.mode).toBe("local");
    expect(first.sessionSecrets[0]).toHaveLength(43);
    expect(second.sessionSecrets).toEqual(first.sessionSecrets);
    expect(fs.statSync(path.join(dataDir, "session-secret")).mode & 0o777).toBe(0o600);
    expect(first.databaseUrl).toBeUndefined();
    expect(first.host).toBe("127.0.0.1");
    expect(first.port).toBe(3000);
  });

  it("error reporting is off unless a DSN is set; a bad DSN or sample rate is explained; release names the commit", () => {
    const off = parseConfig({ NODE_ENV: "test" }).errorReporting;
    expect(off).toMatchObject({
      serverDsn: undefined,
      browserDsn: undefined,
      environment: "test",
      tracesSampleRate: 0,
    });
    expect(off.release).toMatch(/^ares@\d+\.\d+\.\d+/);
    const on = parseConfig({
      NODE_ENV: "test",
      SENTRY_DSN: "https://key@errors.example.com/2",
      SENTRY_BROWSER_DSN: "https://key@errors.example.com/3",
      SENTRY_ENVIRONMENT: "staging",
      SENTRY_TRACES_SAMPLE_RATE: "0.25",
      ARES_COMMIT: "0123456789abcdef0123",
    }).errorReporting;
    expect(on).toMatchObject({
      serverDsn: "https://key@errors.example.com/2",
      browserDsn: "https://key@errors.example.com/3",
      environment: "staging",
      tracesSampleRate: 0.25,
    });
    expect(on.release).toMatch(/^ares@\d+\.\d+\.\d+\+0123456789ab$/);
    const problems = problemsOf({ NODE_ENV: "test", SENTRY_DSN: "sentry.example.com", SENTRY_TRACES_SAMPLE_RATE: "2" });
    expect(problems.join("\n")).toMatch(/SENTRY_DSN: must be a Sentry DSN/);
    expect(problems.join("\n")).toContain("SENTRY_TRACES_SAMPLE_RATE");
  });

  it("explains malformed values instead of starting with them", () => {
    const problems = problemsOf({ NODE_ENV: "test", PORT: "eighty", DATABASE_URL: "mysql://localhost/ares" });
    expect(problems.some((problem) => problem.startsWith("PORT:"))).toBe(true);
    expect(problems).toContain("DATABASE_URL: must be a postgresql:// URL");
  });

  it("refuses chat limits past 2,147,483,647 (the quota's SQL int), naming the variable", () => {
    const problems = problemsOf({
      NODE_ENV: "test",
      CHAT_DAILY_TOKEN_BUDGET: "2147483648",
      CHAT_MESSAGES_PER_MINUTE: "2147483648",
    });
    expect(problems).toEqual([
      "CHAT_MESSAGES_PER_MINUTE: must be at most 2,147,483,647 messages (0 = no limit)",
      "CHAT_DAILY_TOKEN_BUDGET: must be at most 2,147,483,647 tokens (0 = no limit)",
    ]);
    // Values past the admin form's 999,999,999 started before; an upgrade must not refuse them.
    const unlimited = parseConfig({
      NODE_ENV: "test",
      CHAT_DAILY_TOKEN_BUDGET: "2000000000",
      CHAT_MESSAGES_PER_MINUTE: "2000000000",
    });
    expect(unlimited.chatQuota).toEqual({ dailyTokenBudget: 2_000_000_000, messagesPerMinute: 2_000_000_000 });
    const largest = parseConfig({
      NODE_ENV: "test",
      CHAT_DAILY_TOKEN_BUDGET: "2147483647",
      CHAT_MESSAGES_PER_MINUTE: "2147483647",
    });
    expect(largest.chatQuota).toEqual({ dailyTokenBudget: 2_147_483_647, messagesPerMinute: 2_147_483_647 });
  });

  it("treats an empty DATABASE_URL as unset (the embedded database)", () => {
    expect(parseConfig({ NODE_ENV: "test", DATABASE_URL: "" }).databaseUrl).toBeUndefined();
  });

  it("treats any blank variable as unset, so the default applies rather than 0 (= off or unlimited)", () => {
    const blank = parseConfig({
      NODE_ENV: "test",
      PORT: "",
      RATE_LIMIT_AUTH_PER_15_MINUTES: " ",
      CHAT_DAILY_TOKEN_BUDGET: "",
      SHUTDOWN_GRACE_MS: "",
      LOG_PRETTY: "",
    });
    const defaults = parseConfig({ NODE_ENV: "test" });
    expect(blank.port).toBe(defaults.port);
    expect(blank.rateLimits.authPer15Minutes).toBe(defaults.rateLimits.authPer15Minutes);
    expect(blank.rateLimits.authPer15Minutes).toBeGreaterThan(0);
    expect(blank.chatQuota.dailyTokenBudget).toBe(defaults.chatQuota.dailyTokenBudget);
    expect(blank.shutdownGraceMs).toBe(defaults.shutdownGraceMs);
    expect(blank.shutdownGraceMs).toBeGreaterThan(0);
  });
});
