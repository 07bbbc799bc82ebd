import { useLocation, useNavigate } from "@remix-run/react";
import { useEffect, useRef } from "react";
import { useHydrated } from "~/components/use-hydrated";

/** The composer's textarea (components/chat/composer.tsx, default id). */
const COMPOSER = "#composer-message";
/** The Stop button of a reply being written (components/chat/message-list.tsx marks it with its key). */
const STOP = 'button[aria-keyshortcuts="Escape"]';
const CONVERSATION_LINKS = ".conversation-list a";
const DIALOG_ID = "keyboard-shortcuts";

const openHelp = () => document.querySelector<HTMLDialogElement>(`#${DIALOG_ID}`)?.showModal();

/** The sidebar's way to the help dialog; after hydration only (it needs JS). */
export function KeyboardShortcutsButton() {
  const hydrated = useHydrated();
  if (!hydrated) return null;
  return (
    <button type="button" className="secondary small shortcuts-button" aria-keyshortcuts="Shift+?" onClick={openHelp}>
      Keyboard shortcuts
    </button>
  );
}

const SHORTCUTS: Array<[keys: string[], what: string]> = [
  [["/"], "Go to the message box"],
  [["Esc"], "Stop the reply being written"],
  [["Alt", "N"], "New chat"],
  [["↑", "↓"], "Move through the conversation list"],
  [["?"], "Show these shortcuts"],
];

/** Typing in a field must never trigger a one-key shortcut. */
function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
}

/**
 * Chat keyboard shortcuts and their help dialog (`?`). Only with JS: the dialog renders after
 * hydration. Mounted outside the phone drawer: a dialog inside a closed <details> cannot show.
 */
export function KeyboardShortcuts() {
  const hydrated = useHydrated();
  const navigate = useNavigate();
  const dialog = useRef<HTMLDialogElement>(null);
  const location = useLocation();
  // Alt+N: the new chat's composer gets focus once that page has rendered, not before.
  const focusComposerNext = useRef(false);
  useEffect(() => {
    if (!focusComposerNext.current) return;
    focusComposerNext.current = false;
    document.querySelector<HTMLElement>(COMPOSER)?.focus();
  }, [location.key]);

  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.isComposing || dialog.current?.open) return;
      const typing = isTyping(event.target);
      if (event.key === "Escape") {
        const stop = document.querySelector<HTMLButtonElement>(STOP);
        if (stop && !stop.disabled) {
          event.preventDefault();
          stop.click();
        }
        return;
      }
      // event.code: Alt+N types a character ("˜") on some layouts instead of "n".
      if (event.altKey && !event.ctrlKey && !event.metaKey && event.code === "KeyN") {
        event.preventDefault();
        focusComposerNext.current = true;
        navigate("/chat");
        return;
      }
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      if ((event.key === "ArrowDown" || event.key === "ArrowUp") && event.target instanceof HTMLAnchorElement) {
        const links = [...document.querySelectorAll<HTMLAnchorElement>(CONVERSATION_LINKS)];
        const at = links.indexOf(event.target);
        if (at < 0) return;
        event.preventDefault();
        links[Math.min(links.length - 1, Math.max(0, at + (event.key === "ArrowDown" ? 1 : -1)))]?.focus();
        return;
      }
      if (typing) return;
      if (event.key === "/") {
        const composer = document.querySelector<HTMLElement>(COMPOSER);
        if (!composer) return;
        event.preventDefault();
        composer.focus();
      } else if (event.key === "?") {
        event.preventDefault();
        openHelp();
      }
    };
    document.addEventListener("keydown", onKeyDown);
    return () => document.removeEventListener("keydown", onKeyDown);
  }, [navigate]);

  if (!hydrated) return null;
  return (
    <dialog ref={dialog} id={DIALOG_ID} className="shortcuts-dialog" aria-labelledby="shortcuts-title">
      <h2 id="shortcuts-title">Keyboard shortcuts</h2>
      <dl className="details">
        {SHORTCUTS.map(([keys, what]) => (
          <div key={what}>
            <dt>
              {keys.map((key, index) => (
                <span key={key}>
                  {index > 0 ? " " : null}
                  <kbd>{key}</kbd>
                </span>
              ))}
            </dt>
            <dd>{what}</dd>
          </div>
        ))}
      </dl>
      <form method="dialog">
        <button type="submit" className="secondary">
          Close
        </button>
      </form>
    </dialog>
  );
}
