import { PassThrough } from "node:stream";
import { renderToPipeableStream } from "react-dom/server";
import { describe, expect, it } from "vitest";

/** The bytes React's streaming renderer (the one entry.server.tsx uses) writes for one element. */
function renderedBytes(element: React.ReactElement): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sink = new PassThrough();
    const chunks: Buffer[] = [];
    sink.on("data", (chunk: Buffer) => chunks.push(chunk));
    sink.on("end", () => resolve(Buffer.concat(chunks)));
    const { pipe } = renderToPipeableStream(element, {
      onAllReady: () => pipe(sink),
      onError: reject,
    });
  });
}

describe("server rendering", () => {
  // React 18.3.1 flushed its whole 2,048-byte buffer when a character of several bytes did not fit at its
  // end: a NUL byte went out in the page (a title "Renamed 🚀" came back from the rename form as "Renamed
  // \uFFFD🚀" and was saved so). patches/react-dom+18.3.1.patch sends only the bytes written.
  it("sends every character as written, wherever the renderer's buffer boundary falls", async () => {
    const text = "🚀 שלום — ünïcödé ✓";
    // Short pieces fill the buffer a few bytes at a time; the shift moves the title across its boundary.
    for (let shift = 0; shift < 8; shift++) {
      const html = (
        await renderedBytes(
          <div>
            {Array.from({ length: 250 }, (_, index) => (
              <i key={index}>a</i>
            ))}
            <b>{"s".repeat(shift)}</b>
            <input defaultValue={`Renamed ${text}`} />
          </div>,
        )
      ).toString("utf8");
      expect(html.includes("\u0000"), `shift ${shift}`).toBe(false);
      expect(html).toContain(`value="Renamed ${text}"`);
    }
  });
});
