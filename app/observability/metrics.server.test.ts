import { describe, expect, it, vi } from "vitest";
import {
  countAuditEvent,
  countLlmError,
  countLlmFallback,
  countLlmTokens,
  countLogin,
  metricsRegistry,
  observeLlmRequest,
  setActiveSessionsProvider,
} from "./metrics.server";

describe("metrics", () => {
  it("record each domain's events under the documented names and labels", async () => {
    observeLlmRequest({ provider: "openrouter", model: "m1", outcome: "ok" }, 1.5);
    countLlmTokens({ provider: "openrouter", model: "m1", kind: "completion" }, 42);
    countLlmFallback("openrouter", "ollama");
    countLlmError({ provider: "ollama", model: "m2", reason: "timeout" });
    countLogin("password", "failure");
    countAuditEvent("session.revoke", "success");
    const text = await metricsRegistry.metrics();
    expect(text).toContain('ares_llm_request_duration_seconds_count{provider="openrouter",model="m1",outcome="ok"} 1');
    expect(text).toContain('ares_llm_tokens_total{provider="openrouter",model="m1",kind="completion"} 42');
    expect(text).toContain('ares_llm_fallbacks_total{from="openrouter",to="ollama"} 1');
    expect(text).toContain('ares_llm_errors_total{provider="ollama",model="m2",reason="timeout"} 1');
    expect(text).toContain('ares_logins_total{method="password",result="failure"} 1');
    expect(text).toContain('ares_audit_events_total{action="session.revoke",outcome="success"} 1');
  });

  it("ask the registered provider for the active sessions at scrape time", async () => {
    let sessions = 2;
    setActiveSessionsProvider(async () => sessions);
    expect(await metricsRegistry.metrics()).toContain("ares_active_sessions 2");
    sessions = 5;
    expect(await metricsRegistry.metrics()).toContain("ares_active_sessions 5");
  });

  it("keep one registry when the module is loaded again (dev reloads, server.ts next to the Remix bundle)", async () => {
    vi.resetModules();
    const again = await import("./metrics.server");
    expect(again.metricsRegistry).toBe(metricsRegistry);
  });
});
