import { useRef, type KeyboardEvent } from "react";

type ComposerProps = {
  defaultValue?: string;
  errors?: string[] | undefined;
  pending?: boolean;
  disabled?: boolean;
  label?: string;
  submitLabel?: string;
  intent?: string;
};

/**
 * The message box. Without JS it is a textarea and a Send button; with JS, Enter sends and
 * Shift+Enter starts a new line.
 */
export function Composer({
  defaultValue,
  errors,
  pending,
  disabled,
  label = "Message",
  submitLabel = "Send",
  intent,
}: ComposerProps) {
  const textarea = useRef<HTMLTextAreaElement>(null);
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key !== "Enter" || event.shiftKey || event.nativeEvent.isComposing) return;
    event.preventDefault();
    if (textarea.current?.value.trim()) textarea.current.form?.requestSubmit();
  };
  return (
    <div className="composer">
      {intent ? <input type="hidden" name="intent" value={intent} /> : null}
      <label htmlFor="composer-message" className="visually-hidden">
        {label}
      </label>
      <textarea
        ref={textarea}
        id="composer-message"
        name="message"
        rows={3}
        required
        maxLength={32_000}
        placeholder="Message ARES — Enter to send, Shift+Enter for a new line"
        defaultValue={defaultValue}
        aria-invalid={errors?.length ? true : undefined}
        aria-describedby={errors?.length ? "composer-error" : undefined}
        onKeyDown={onKeyDown}
        disabled={disabled}
      />
      {errors?.length ? (
        <p className="field-error" id="composer-error" role="alert">
          {errors.join(" ")}
        </p>
      ) : null}
      <div className="composer__actions">
        <button type="submit" disabled={pending || disabled} aria-busy={pending}>
          {pending ? "Sending…" : submitLabel}
        </button>
      </div>
    </div>
  );
}
