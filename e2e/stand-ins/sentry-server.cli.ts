/**
 * `npm run dev:sentry`: the stand-in Sentry ingest on a fixed port, for trying error reporting locally.
 * Start ARES with the DSN it prints (SENTRY_DSN and/or SENTRY_BROWSER_DSN); every event is printed as one
 * line, and GET <url>/__recorded lists the envelopes in full.
 *
 * Environment (optional): SENTRY_STAND_IN_PORT (default 9000).
 */
import { RECORDED_PATH, startStandInSentry } from "./sentry-server";

async function main(): Promise<void> {
  const port = Number(process.env.SENTRY_STAND_IN_PORT ?? 9000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`Invalid SENTRY_STAND_IN_PORT: ${port}`);
  const sentry = await startStandInSentry({
    port,
    onEnvelope: (envelope) => {
      for (const item of envelope.items.filter((entry) => entry.type === "event")) {
        const event = item.payload as {
          exception?: { values?: Array<{ type?: string; value?: string }> };
          tags?: object;
        };
        const exception = event.exception?.values?.at(-1);
        console.log(`event: ${exception?.type ?? "?"}: ${exception?.value ?? ""} ${JSON.stringify(event.tags ?? {})}`);
      }
    },
  });
  console.log(
    `Stand-in Sentry listening on ${sentry.url}\nDSN: ${sentry.dsn()}\nRecorded: ${sentry.url}${RECORDED_PATH}`,
  );
  const stop = (): void => {
    void sentry.close().then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
