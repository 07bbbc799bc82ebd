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
