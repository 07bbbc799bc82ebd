import { Transform, type TransformCallback } from "node:stream";

/** Past this, a batch goes out before React's flush, so a huge document still streams in pieces. */
const MOST_BYTES_HELD = 64 * 1024;

/**
 * A pass-through for React's HTML stream that hands on what React wrote as one chunk per flush instead of
 * one per 2 KB view: React calls `flush()` on its destination when it has nothing more to write for now
 * (the convention compression streams follow), so the shell and each later boundary still go out as soon
 * as they are ready. The socket already got one write per turn (writeCoalesced, remix-handler.server.ts);
 * this spares each of a 57 KB conversation page's ~28 views its own trip through the Node-to-web stream
 * bridge and a reader promise on the way there.
 */
export class FlushBatches extends Transform {
  #held: Buffer[] = [];
  #bytes = 0;
  /** React flushed while some of its writes still waited to be taken in (a slow reader). */
  #flushAsked = false;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#held.push(chunk);
    this.#bytes += chunk.length;
    if (this.#bytes >= MOST_BYTES_HELD) this.flush();
    callback();
    // The last of the writes React's flush covered has been taken in: send them now, or they would
    // wait for React's next writing pass (a pending Suspense boundary's, maybe seconds away).
    if (this.#flushAsked && this.writableLength === 0) this.flush();
  }

  override _flush(callback: TransformCallback): void {
    this.flush();
    callback();
  }

  /** Sends what is held: React calls this at the end of each of its writing passes. */
  flush(): void {
    if (this.writableLength > 0) {
      this.#flushAsked = true;
      return;
    }
    this.#flushAsked = false;
    if (this.#bytes === 0) return;
    this.push(this.#held.length === 1 ? this.#held[0] : Buffer.concat(this.#held, this.#bytes));
    this.#held = [];
    this.#bytes = 0;
  }
}
