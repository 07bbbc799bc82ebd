import type { IncomingMessage } from "node:http";
import {
  unstable_composeUploadHandlers as composeUploadHandlers,
  unstable_createMemoryUploadHandler as createMemoryUploadHandler,
  unstable_parseMultipartFormData as parseMultipartFormData,
  type UploadHandler,
} from "@remix-run/node";

/** Read no further than this: a form's fields before its file are a few short values and their framing. */
export const HEAD_LIMIT_BYTES = 16 * 1024;
/** Nor for longer than this: a client trickling its body gets the fields it sent by then (none at worst). */
const HEAD_TIME_MS = 2_000;
/** A field before the file longer than this is not one a page's form sends (a checkbox, a hidden intent). */
const FIELD_LIMIT_BYTES = 1024;

class FileReached extends Error {}

/**
 * The text fields a multipart post carries before its first file, read by Remix's streaming multipart
 * parser from the start of a body refused as too large, so that a page answering the refusal itself can
 * show the choices made with it (the calendar's import: a field placed before the file in its form).
 * Bounded in bytes and time; anything it cannot read gives the fields read until then. The body is left
 * paused where the reading stopped, for the caller to discard the rest.
 */
export async function fieldsBeforeFile(req: IncomingMessage, contentType: string): Promise<[string, string][]> {
  // Nothing more will come: its 'close' or 'end' has fired already, and the reading would wait out its time.
  if (req.destroyed || req.readableEnded) return [];
  let read = 0;
  let stop = () => {};
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const onData = (chunk: Buffer) => {
        // Cut at the limit: a chunk may hold much more.
        const wanted = chunk.subarray(0, HEAD_LIMIT_BYTES - read);
        read += wanted.length;
        controller.enqueue(new Uint8Array(wanted));
        if (read >= HEAD_LIMIT_BYTES) stop();
      };
      const onEnd = () => stop();
      stop = () => {
        req.off("data", onData);
        req.off("end", onEnd);
        req.off("close", onEnd);
        req.pause();
        stop = () => {};
        try {
          controller.close();
        } catch {
          // Closed already (the parser cancelled it).
        }
      };
      req.on("data", onData);
      req.once("end", onEnd);
      req.once("close", onEnd);
      req.resume();
    },
    cancel: () => stop(),
  });
  const fields = await fieldsIn(body, contentType);
  stop();
  return fields;
}

/**
 * The same fields from the start of a body already read (one sent without a length, chunked, read up to the
 * limit before it was found too large): at most the same 16 KiB of it are parsed.
 */
export function fieldsBeforeFileIn(start: Buffer, contentType: string): Promise<[string, string][]> {
  const head = start.subarray(0, HEAD_LIMIT_BYTES);
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new Uint8Array(head));
      controller.close();
    },
  });
  return fieldsIn(body, contentType);
}

/** The text fields before the first file of a multipart body, read within HEAD_TIME_MS. */
async function fieldsIn(body: ReadableStream<Uint8Array>, contentType: string): Promise<[string, string][]> {
  const fields: [string, string][] = [];
  const texts = createMemoryUploadHandler({ maxPartSize: FIELD_LIMIT_BYTES });
  const untilFile: UploadHandler = async (part) => {
    if (part.filename !== undefined) throw new FileReached();
    return undefined;
  };
  const collect: UploadHandler = async (part) => {
    const value = await texts(part);
    if (typeof value === "string") fields.push([part.name, value]);
    return undefined;
  };
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, HEAD_TIME_MS);
  });
  const request = new Request("http://body.invalid/", {
    method: "POST",
    body,
    headers: { "content-type": contentType },
    duplex: "half",
  });
  await Promise.race([
    parseMultipartFormData(request, composeUploadHandlers(untilFile, collect)).then(
      () => undefined,
      // The file reached (what is wanted), the head's end reached, or a malformed head: the fields so far.
      () => undefined,
    ),
    deadline,
  ]);
  clearTimeout(timer);
  // As they were then: a parser past the deadline may still be reading what it was given.
  return [...fields];
}
