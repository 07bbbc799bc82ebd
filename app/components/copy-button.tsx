import { type RefObject, useCallback, useEffect, useRef, useState } from "react";
import { createPortal } from "react-dom";

const COPIED_FOR_MS = 2000;

type CopyState = "idle" | "copied" | "failed";

/**
 * Whether copying can work here. False on the server and during hydration (so the server HTML and the
 * first client render agree on rendering nothing), and on plain-HTTP origins, where browsers do not
 * expose the Clipboard API.
 */
function useClipboardAvailable(): boolean {
  const [available, setAvailable] = useState(false);
  useEffect(() => {
    setAvailable(typeof navigator.clipboard?.writeText === "function");
  }, []);
  return available;
}

/**
 * Text still on its way (fetched) is handed to the clipboard as a promise inside the click, where the
 * browser allows the write (Safari refuses a writeText after an await); writeText where ClipboardItem
 * is missing.
 */
function writeToClipboard(text: string | Promise<string>): Promise<void> {
  if (typeof text === "string") return navigator.clipboard.writeText(text);
  if (typeof ClipboardItem === "function")
    return navigator.clipboard.write([
      new ClipboardItem({ "text/plain": text.then((value) => new Blob([value], { type: "text/plain" })) }),
    ]);
  return text.then((value) => navigator.clipboard.writeText(value));
}

function useCopy(): [CopyState, (text: string | Promise<string>) => void] {
  const [state, setState] = useState<CopyState>("idle");
  const timer = useRef<ReturnType<typeof setTimeout>>();
  useEffect(() => () => clearTimeout(timer.current), []);

  const copy = useCallback((text: string | Promise<string>) => {
    const show = (next: CopyState) => {
      clearTimeout(timer.current);
      setState(next);
      timer.current = setTimeout(() => setState("idle"), COPIED_FOR_MS);
    };
    // Called within the click (Safari allows the write only there); an API that throws at once also
    // ends in "Copy failed".
    let written: Promise<void>;
    try {
      written = writeToClipboard(text);
    } catch (error) {
      written = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    written.then(
      () => show("copied"),
      () => show("failed"),
    );
  }, []);
  return [state, copy];
}

const LABELS: Record<CopyState, string> = { idle: "Copy", copied: "Copied", failed: "Copy failed" };

function CopyControl({
  label,
  className,
  getText,
}: {
  label: string;
  className?: string;
  getText: () => string | Promise<string>;
}) {
  const [state, copy] = useCopy();
  return (
    <>
      <button type="button" className={className} aria-label={label} onClick={() => copy(getText())}>
        {LABELS[state]}
      </button>
      {/* The button's name stays fixed, so the outcome is announced separately. */}
      <span className="visually-hidden" role="status">
        {state === "idle" ? "" : state === "copied" ? "Copied to clipboard" : "Could not copy"}
      </span>
    </>
  );
}

/** Copies a text the page shows (it stays selectable text too). Renders nothing without JS or a clipboard. */
export function CopyTextButton({ text, label }: { text: string; label: string }) {
  const available = useClipboardAvailable();
  if (!available) return null;
  return <CopyControl label={label} className="secondary small" getText={() => text} />;
}

async function fetchText(address: string): Promise<string> {
  // Not followed: an ended session redirects to the sign-in page, whose HTML must not be copied.
  const response = await fetch(address, { headers: { Accept: "text/markdown" }, redirect: "manual" });
  const markdown = response.headers.get("content-type")?.startsWith("text/markdown");
  if (response.status !== 200 || !markdown) throw new Error(`${address} answered ${response.status}`);
  return response.text();
}

/**
 * Copies a whole message's source text, fetched from `source` when first pressed (the page carries a
 * reply's HTML, not its Markdown). Renders nothing without JS or a clipboard.
 */
export function CopyMessageButton({ source }: { source: string }) {
  const available = useClipboardAvailable();
  const text = useRef<{ source: string; text: Promise<string> }>();
  if (!available) return null;
  const getText = () => {
    // Fetched once per source; a failed fetch is tried again on the next press.
    if (text.current?.source !== source) {
      const fetched = fetchText(source);
      text.current = { source, text: fetched };
      fetched.catch(() => (text.current = undefined));
    }
    return text.current.text;
  };
  return <CopyControl label="Copy message" className="secondary small copy-message" getText={getText} />;
}

type CodeBlock = { pre: HTMLPreElement; host: HTMLElement };

/**
 * Adds a Copy button above each `<pre>` in the container's server-rendered Markdown. The HTML is set
 * with `dangerouslySetInnerHTML`, so React does not own those nodes: each button is portalled into a
 * host element placed just before its block, and a MutationObserver re-attaches them when the HTML is
 * replaced (a streaming reply growing).
 */
export function CopyCodeButtons({ containerRef }: { containerRef: RefObject<HTMLElement> }) {
  const available = useClipboardAvailable();
  const [blocks, setBlocks] = useState<CodeBlock[]>([]);

  useEffect(() => {
    const container = containerRef.current;
    if (!available || !container) return;
    const hosts = new Map<HTMLPreElement, HTMLElement>();

    const scan = () => {
      // Unmounting removes the portalled buttons from the hosts before this effect is cleaned up: in a
      // container already detached every host looks disconnected, and re-adding them would loop forever.
      if (!container.isConnected) return;
      let changed = false;
      const current = new Set(container.querySelectorAll("pre"));
      for (const [pre, host] of hosts) {
        if (current.has(pre) && host.isConnected) continue;
        host.remove();
        hosts.delete(pre);
        changed = true;
      }
      for (const pre of current) {
        if (hosts.has(pre)) continue;
        const host = document.createElement("div");
        host.className = "code-copy";
        pre.before(host);
        hosts.set(pre, host);
        changed = true;
      }
      // Our own insertions trigger the observer too; only real changes re-render.
      if (changed) setBlocks([...hosts].map(([pre, host]) => ({ pre, host })));
    };

    scan();
    const observer = new MutationObserver(scan);
    observer.observe(container, { childList: true, subtree: true });
    return () => {
      observer.disconnect();
      for (const host of hosts.values()) host.remove();
      setBlocks([]);
    };
  }, [available, containerRef]);

  return (
    <>
      {blocks.map(({ pre, host }, index) =>
        createPortal(
          <CopyControl
            label={`Copy code block ${index + 1}`}
            className="secondary small"
            getText={() => pre.querySelector("code")?.textContent ?? pre.textContent ?? ""}
          />,
          host,
        ),
      )}
    </>
  );
}
