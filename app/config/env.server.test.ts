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
      SESSION_SECRET: `${strongSecret}, older-secret-still-valid`,
      INTERNAL_API_KEY: "k".repeat(32),
    });
    expect(config.mode).toBe("production");
    expect(config.sessionSecrets).toEqual([strongSecret, "older-secret-still-valid"]);
    expect(config.host).toBe("0.0.0.0");
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

  it("explains malformed values instead of starting with them", () => {
    const problems = problemsOf({ NODE_ENV: "test", PORT: "eighty", DATABASE_URL: "mysql://localhost/ares" });
    expect(problems.some((problem) => problem.startsWith("PORT:"))).toBe(true);
    expect(problems).toContain("DATABASE_URL: must be a postgresql:// URL");
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
