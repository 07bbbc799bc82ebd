import { Link } from "@remix-run/react";
import { useRef, type KeyboardEvent } from "react";
import { useHydrated } from "~/components/use-hydrated";

type ComposerProps = {
  id?: string;
  defaultValue?: string;
  errors?: string[] | undefined;
  pending?: boolean;
  disabled?: boolean;
  label?: string;
  submitLabel?: string;
  intent?: string;
  /** Shows a Cancel link to this address (editing in place). */
  cancelTo?: string;
  /** With JS, Cancel (and Esc in the box) calls this instead of following the link. */
  onCancel?: () => void;
  autoFocus?: boolean;
};

/**
 * The message box. Without JS it is a textarea and a Send button (Enter makes a new line, and a hint on
 * a line of its own below the button says so); with JS, Enter sends and Shift+Enter starts a new line,
 * which a hint beside the button says once the page is interactive.
 */
export function Composer({
  id = "composer-message",
  defaultValue,
  errors,
  pending,
  disabled,
  label = "Message",
  submitLabel = "Send",
  intent,
  cancelTo,
  onCancel,
  autoFocus,
}: ComposerProps) {
  const textarea = useRef<HTMLTextAreaElement>(null);
  const hydrated = useHydrated();
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === "Escape" && onCancel) {
      event.preventDefault();
      onCancel();
      return;
    }
    if (event.key !== "Enter" || event.shiftKey || event.nativeEvent.isComposing) return;
    event.preventDefault();
    if (textarea.current?.value.trim()) textarea.current.form?.requestSubmit();
  };
  return (
    <div className="composer">
      {intent ? <input type="hidden" name="intent" value={intent} /> : null}
      <label htmlFor={id} className="visually-hidden">
        {label}
      </label>
      <textarea
        ref={textarea}
        id={id}
        name="message"
        rows={2}
        required
        maxLength={32_000}
        placeholder="Message ARES"
        defaultValue={defaultValue}
        aria-invalid={errors?.length ? true : undefined}
        aria-describedby={`${id}-hint${errors?.length ? ` ${id}-error` : ""}`}
        onKeyDown={onKeyDown}
        disabled={disabled}
        autoFocus={autoFocus}
      />
      {errors?.length ? (
        <p className="field-error" id={`${id}-error`} role="alert">
          {errors.join(" ")}
        </p>
      ) : null}
      <div className="composer__actions">
        {hydrated ? (
          // Each phrase stays whole: where the row is too narrow for the hint beside the buttons (a phone, an
          // edit box inside a message) the buttons move under it instead of the hint wrapping mid-phrase.
          <p className="composer__hint" id={`${id}-hint`}>
            <span>{`Enter to ${submitLabel.toLowerCase()}`}</span> · <span>Shift+Enter for a new line</span>
          </p>
        ) : null}
        {cancelTo ? (
          <Link
            className="button secondary"
            to={cancelTo}
            onClick={(event) => {
              if (!onCancel) return;
              event.preventDefault();
              onCancel();
            }}
          >
            Cancel
          </Link>
        ) : null}
        <button type="submit" disabled={pending || disabled} aria-busy={pending}>
          {pending ? "Sending…" : submitLabel}
        </button>
      </div>
      {/* Without JS on a line of its own: beside the button it wrapped on a phone and spoke of a button
          "below". In <noscript> it is never painted with JS on, so the box keeps its height when the page
          becomes interactive. */}
      <noscript>
        <p className="composer__hint composer__hint--no-js" id={`${id}-hint`}>
          {`Enter starts a new line; press ${submitLabel} when ready.`}
        </p>
      </noscript>
    </div>
  );
}
