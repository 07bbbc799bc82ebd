import { createReadableStreamFromReadable } from "@remix-run/node";
import { createElement, Suspense, type ReactElement } from "react";
import { renderToPipeableStream } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { FlushBatches } from "./flush-batches.server";

function chunksOf(stream: FlushBatches): string[] {
  const seen: string[] = [];
  stream.on("data", (chunk: Buffer) => seen.push(chunk.toString()));
  return seen;
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("FlushBatches: React's HTML in one piece per flush", () => {
  it("holds React's small writes and sends them together when React flushes", async () => {
    const stream = new FlushBatches();
    const seen = chunksOf(stream);
    stream.write(new TextEncoder().encode("<!DOCTYPE html><html>"));
    stream.write(new TextEncoder().encode("<body>shell"));
    await tick();
    expect(seen).toEqual([]);
    stream.flush();
    await tick();
    expect(seen).toEqual(["<!DOCTYPE html><html><body>shell"]);

    // A later boundary streams as its own piece, and the end sends what is left.
    stream.write(Buffer.from("<div>late</div>"));
    stream.flush();
    stream.end(Buffer.from("</body></html>"));
    await new Promise((resolve) => stream.on("end", resolve));
    expect(seen).toEqual(["<!DOCTYPE html><html><body>shell", "<div>late</div>", "</body></html>"]);
  });

  it("does not hold a huge document until the end: past 64 KB it goes out", async () => {
    const stream = new FlushBatches();
    const seen = chunksOf(stream);
    const view = Buffer.alloc(2048, "a");
    for (let i = 0; i < 40; i++) stream.write(view);
    await tick();
    expect(seen.map((chunk) => chunk.length)).toEqual([64 * 1024]);
  });
});

describe("FlushBatches under React with a slow reader", () => {
  it("sends the end of a large shell at once while a Suspense boundary is still pending", async () => {
    let ready = false;
    const late = new Promise<void>((resolve) => setTimeout(() => ((ready = true), resolve()), 1_500));
    function Late(): ReactElement {
      if (!ready) throw late;
      return createElement("div", null, "late");
    }
    // ~140 KB of shell: more than two of FlushBatches' batches, more than the web stream's buffer.
    const paragraphs = Array.from({ length: 1_120 }, (_, i) => createElement("p", { key: i }, "y".repeat(120)));
    const page = createElement(
      "body",
      null,
      ...paragraphs,
      createElement(Suspense, { fallback: createElement("span", null, "loading") }, createElement(Late)),
      createElement("i", null, "SHELL-TAIL"),
    );
    const started = performance.now();
    const tailAfterMs = await new Promise<number>((resolve, reject) => {
      const body = new FlushBatches();
      const { pipe } = renderToPipeableStream(page, {
        onShellReady() {
          const reader = createReadableStreamFromReadable(body).getReader();
          pipe(body);
          void (async () => {
            let seen = "";
            for (;;) {
              const { done, value } = await reader.read();
              if (done) return reject(new Error("ended before the shell's tail"));
              seen += Buffer.from(value).toString();
              if (seen.includes("SHELL-TAIL")) return resolve(performance.now() - started);
            }
          })();
        },
        onShellError: reject,
      });
    });
    expect(tailAfterMs).toBeLessThan(1_000);
    await late;
  });
});
