/**
 * Time to first token through ARES minus straight to the stand-in provider, shared by
 * bench/chat-ttft.ts and bench/throughput.ts so both print the same figure measured the same way.
 */
import { performance } from "node:perf_hooks";
import type { StubLlm } from "../e2e/stand-ins/llm-server";
import { ms, percentile, type signedIn } from "./support";

type Client = Awaited<ReturnType<typeof signedIn>>;

const WARMUP = 10;

/**
 * Whether ARES's reply stream has shown text yet: a `token`, or a `snapshot` that already holds text (the
 * reply starts while the message is committed, so a fast provider's first words can be in the snapshot).
 */
export function aresShowsText(seen: string): boolean {
  if (seen.includes("event: token")) return true;
  const snapshot = /event: snapshot\ndata: (.*)\n\n/.exec(seen);
  return snapshot !== null && (JSON.parse(snapshot[1]!) as { content: string }).content !== "";
}

/** Milliseconds from `started` until the stream shows its first text; the rest is drained, untimed. */
export async function untilFirstToken(
  response: Response,
  started: number,
  found: (seen: string) => boolean = aresShowsText,
): Promise<number> {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`stream ended before the first token: ${seen.slice(0, 300)}`);
    seen += value;
    if (found(seen)) break;
  }
  const firstTokenMs = performance.now() - started;
  // Drained so every reply completes before the caller goes on.
  for (;;) if ((await reader.read()).done) break;
  return firstTokenMs;
}

/** A new conversation of the signed-in person (the JSON API). */
export async function newConversation(client: Client): Promise<string> {
  const created = await client.post(
    "/api/v1/conversations",
    {},
    { headers: { "content-type": "application/json" }, body: "{}" },
  );
  if (created.status !== 201 && created.status !== 200)
    throw new Error(`creating a conversation answered ${created.status}`);
  return ((await created.json()) as { id: string }).id;
}

/** One streamed send through ARES; resolves with the milliseconds until its first token. */
export async function sendThroughAres(client: Client, conversationId: string, content: string): Promise<number> {
  const started = performance.now();
  const viaAres = await client.postJson(
    `/api/v1/conversations/${conversationId}/messages`,
    { content },
    { accept: "text/event-stream" },
  );
  if (viaAres.status !== 200) throw new Error(`ARES answered ${viaAres.status}: ${await viaAres.text()}`);
  return untilFirstToken(viaAres, started);
}

/** The stand-in's own time to first token for one streamed request, straight to it. */
export async function sendDirect(stub: StubLlm, content: string): Promise<number> {
  const started = performance.now();
  const upstream = await fetch(`${stub.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer bench" },
    body: JSON.stringify({ model: "stub/small", stream: true, messages: [{ role: "user", content }] }),
  });
  return untilFirstToken(upstream, started, (seen) => seen.includes('"content":"'));
}

export type TtftResult = {
  direct: number[];
  throughAres: number[];
  overhead: number[];
  /** Rounds sent, warm-up included. */
  rounds: number;
};

/**
 * `rounds` sends one after another, each both ways, interleaved so both see the same machine load
 * (after a few unrecorded warm-up rounds); each send in a new conversation. `beforeSend` runs before
 * each round's sends, untimed.
 */
export async function measureTtft(
  client: Client,
  stub: StubLlm,
  rounds: number,
  beforeSend: () => Promise<void> = async () => {},
): Promise<TtftResult> {
  const direct: number[] = [];
  const throughAres: number[] = [];
  for (let round = 0; round < rounds + WARMUP; round++) {
    const id = await newConversation(client);
    await beforeSend();
    const content = `benchmark round ${round}`;
    const directMs = await sendDirect(stub, content);
    const aresMs = await sendThroughAres(client, id, content);
    if (round >= WARMUP) {
      direct.push(directMs);
      throughAres.push(aresMs);
    }
  }
  return {
    direct,
    throughAres,
    overhead: throughAres.map((value, index) => value - direct[index]!),
    rounds: rounds + WARMUP,
  };
}

export function printTtft({ direct, throughAres, overhead }: TtftResult): void {
  console.log(`time to first token over ${direct.length} streams, one at a time (stand-in provider, PostgreSQL)`);
  console.log(`  direct to provider   p50 ${ms(percentile(direct, 50))}   p95 ${ms(percentile(direct, 95))}`);
  console.log(`  through ARES         p50 ${ms(percentile(throughAres, 50))}   p95 ${ms(percentile(throughAres, 95))}`);
  console.log(
    `  ARES overhead        p50 ${ms(percentile(overhead, 50))}   p95 ${ms(percentile(overhead, 95))}   (target p50 ≤ 5 ms, p95 ≤ 10 ms)`,
  );
  console.log(`  ratio ARES/direct    p50 ${(percentile(throughAres, 50) / percentile(direct, 50)).toFixed(2)}`);
}
