import { Link, useMatches, useRouteLoaderData, useSearchParams } from "@remix-run/react";
import { useEffect, useRef, useState, type KeyboardEvent, type MouseEvent, type ReactNode } from "react";
import { KEEP_TO_FIELD, VERSION_FIELD } from "~/chat/schemas";
import { useHydrated } from "~/components/use-hydrated";
import { clearDraft, draftKeyFor, readDraft, saveDraft } from "./drafts";

/**
 * The conversation's message box form. Without JS a page's other forms (Stop, Regenerate, the model, Pin,
 * the theme) would post without what is typed in it, and the page they redirect to would have an empty
 * box: their buttons submit this form instead (the `form` attribute), so the text goes with them and the
 * server keeps it for the box (chat/kept-text.server.ts). A route whose page has it says so in its handle.
 */
export const COMPOSER_FORM_ID = "composer-form";
export const composerFormHandle = { composerForm: COMPOSER_FORM_ID };

/** The composer form's id when this page has one (see COMPOSER_FORM_ID), for a button to submit it. */
export function useComposerFormId(): string | undefined {
  const matches = useMatches();
  // A route that failed (its error page) has no data, and no box either.
  const found = matches.some((match) => {
    const handle: unknown = match.handle;
    return typeof handle === "object" && handle !== null && "composerForm" in handle && match.data !== undefined;
  });
  return found ? COMPOSER_FORM_ID : undefined;
}

/** The conversation page's panel whose field (the new title) belongs to the composer form: `?panel=rename`. */
export const FIELD_PANEL = "rename";

/** A page whose FIELD_PANEL's field joins the composer form says so in its handle. */
export const fieldPanelHandle = { ...composerFormHandle, fieldPanel: FIELD_PANEL };

/**
 * Enter in FIELD_PANEL's field (no JS) presses the composer form's first submit button in the document:
 * this hidden one, which renames. The root renders it before the header, so the theme buttons (which
 * submit the same form, the text with them) come after it and stay in the form.
 */
export function FieldPanelDefaultButton() {
  const matches = useMatches();
  const [searchParams] = useSearchParams();
  const hydrated = useHydrated();
  const page = matches.some((match) => {
    const handle: unknown = match.handle;
    return typeof handle === "object" && handle !== null && "fieldPanel" in handle && match.data !== undefined;
  });
  if (!page || hydrated || searchParams.get("panel") !== FIELD_PANEL) return null;
  return (
    <button
      type="submit"
      hidden
      tabIndex={-1}
      name="intent"
      value="rename"
      aria-hidden="true"
      {...withComposerText(COMPOSER_FORM_ID)}
    />
  );
}

/**
 * Props for a button of another form that submits the composer form (when `formId` is set), so the text
 * in the box goes with it. It skips the box's checks (`required`): that post is not a send.
 */
export function withComposerText(formId: string | undefined, action?: string) {
  return formId ? { form: formId, formNoValidate: true, ...(action ? { formAction: action } : {}) } : {};
}

export { KEEP_TO_FIELD, VERSION_FIELD };

/**
 * A link of a page with the message box (Rename, Show earlier, Edit…). Without JS following it would
 * leave the page and what is typed in the box: until JS runs it is a button that submits the box's form
 * with `to` (KEEP_TO_FIELD), and the page's action keeps the text and redirects there. With JS it is a
 * plain link: the page is not left, and the box keeps its text (or its draft, drafts.ts).
 */
export function KeepTextLink({
  to,
  className,
  children,
  onClick,
  preventScrollReset,
}: {
  /** A path on this page's address (a query and hash may follow). */
  to: string;
  className?: string;
  children: ReactNode;
  onClick?: (event: MouseEvent<HTMLAnchorElement>) => void;
  preventScrollReset?: boolean;
}) {
  const formId = useComposerFormId();
  const hydrated = useHydrated();
  if (hydrated || !formId)
    return (
      <Link className={className} to={to} onClick={onClick} preventScrollReset={preventScrollReset}>
        {children}
      </Link>
    );
  return (
    <button
      type="submit"
      className={className ?? "link-button"}
      name={KEEP_TO_FIELD}
      value={to}
      {...withComposerText(formId)}
    >
      {children}
    </button>
  );
}

/** Whether a submit of the composer form was a send (its own button), not another form's button. */
export function isComposerSend(event: { nativeEvent: Event }): boolean {
  const submitter = (event.nativeEvent as SubmitEvent).submitter;
  return !submitter || submitter.getAttribute("form") === null;
}

/** A phone or tablet: its keyboard has no Shift+Enter, so Enter must be free to start a new line. */
const COARSE_POINTER = "(pointer: coarse)";

/** Whether the primary pointer is a finger (false on the server and until JS runs); follows changes. */
function useCoarsePointer(): boolean {
  const [coarse, setCoarse] = useState(false);
  useEffect(() => {
    const query = window.matchMedia(COARSE_POINTER);
    const update = () => setCoarse(query.matches);
    update();
    query.addEventListener("change", update);
    return () => query.removeEventListener("change", update);
  }, []);
  return coarse;
}

type ComposerProps = {
  id?: string;
  defaultValue?: string;
  errors?: string[] | undefined;
  pending?: boolean;
  disabled?: boolean;
  label?: string;
  submitLabel?: string;
  intent?: string;
  /** A short note about the text put back in the box (chat/kept-text.server.ts `keptTextMarker`). */
  note?: string | null;
  /** Shows a Cancel link to this address (editing in place). */
  cancelTo?: string;
  /** With JS, Cancel (and Esc in the box) calls this instead of following the link. */
  onCancel?: () => void;
  autoFocus?: boolean;
  /**
   * Keeps unsent text in this tab under this key (drafts.ts) and puts it back in an empty box. `sent` is my
   * newest stored message: a draft equal to it was sent, and is dropped instead.
   */
  draft?: { key: string; sent: string | null };
};

/**
 * The message box. Without JS it is a textarea and a Send button (Enter makes a new line, and a hint on
 * a line of its own below the button says so); with JS, Enter sends and Shift+Enter starts a new line,
 * which a hint beside the button says once the page is interactive — except on a touch screen (coarse
 * pointer), whose keyboard has no Shift+Enter: there Enter starts a new line and the button sends.
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
  note,
  cancelTo,
  onCancel,
  autoFocus,
  draft,
}: ComposerProps) {
  const textarea = useRef<HTMLTextAreaElement>(null);
  const send = useRef<HTMLButtonElement>(null);
  const hydrated = useHydrated();
  const coarse = useCoarsePointer();
  const owner = useRouteLoaderData<{ user: { email: string } | null }>("root")?.user?.email;
  const draftKey = draft ? draftKeyFor(owner, draft.key) : null;
  const sent = draft?.sent ?? null;
  useEffect(() => {
    const box = textarea.current;
    const kept = draftKey ? readDraft(draftKey) : null;
    if (!box || !draftKey || kept === null) return;
    if (sent !== null && kept.trim() === sent.trim()) clearDraft(draftKey);
    else if (!box.value) box.value = kept;
  }, [draftKey, sent]);
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === "Escape" && onCancel) {
      event.preventDefault();
      onCancel();
      return;
    }
    if (event.key !== "Enter" || event.shiftKey || event.nativeEvent.isComposing) return;
    // Asked at the key press, so it is the pointer in use now (a tablet may gain or lose its keyboard case).
    if (window.matchMedia(COARSE_POINTER).matches) return;
    event.preventDefault();
    // Through the button: the intent is its value.
    if (textarea.current?.value.trim() && send.current && !send.current.disabled)
      textarea.current.form?.requestSubmit(send.current);
  };
  return (
    <div className="composer">
      <label htmlFor={id} className="visually-hidden">
        {label}
      </label>
      <textarea
        ref={textarea}
        id={id}
        name="message"
        dir="auto"
        rows={2}
        required
        maxLength={32_000}
        placeholder="Message ARES"
        defaultValue={defaultValue}
        aria-invalid={errors?.length ? true : undefined}
        aria-describedby={`${id}-hint${errors?.length ? ` ${id}-error` : ""}${note ? ` ${id}-note` : ""}`}
        onKeyDown={onKeyDown}
        onInput={draftKey ? (event) => saveDraft(draftKey, event.currentTarget.value) : undefined}
        disabled={disabled}
        autoFocus={autoFocus}
      />
      {errors?.length ? (
        <p className="field-error" id={`${id}-error`} role="alert">
          {errors.join(" ")}
        </p>
      ) : null}
      {note ? (
        <p className="composer__note" id={`${id}-note`} role="status">
          {note}
        </p>
      ) : null}
      <div className="composer__actions">
        {hydrated ? (
          // Each phrase stays whole: where the row is too narrow for the hint beside the buttons (a phone, an
          // edit box inside a message) the buttons move under it instead of the hint wrapping mid-phrase.
          <p className="composer__hint" id={`${id}-hint`}>
            {coarse ? (
              <>
                <span>Enter starts a new line;</span> <span>{`press ${submitLabel} when ready.`}</span>
              </>
            ) : (
              <>
                <span>{`Enter to ${submitLabel.toLowerCase()}`}</span> · <span>Shift+Enter for a new line</span>
              </>
            )}
          </p>
        ) : null}
        {cancelTo ? (
          // Until JS runs a button of the page's message box form (KeepTextLink): its text is not lost.
          <KeepTextLink
            className="button secondary"
            to={cancelTo}
            onClick={(event) => {
              if (!onCancel) return;
              event.preventDefault();
              onCancel();
            }}
          >
            Cancel
          </KeepTextLink>
        ) : null}
        {/* The intent rides on the button, not a hidden field: another form's button that submits this form
            (COMPOSER_FORM_ID) sends its own intent instead. */}
        <button
          ref={send}
          type="submit"
          name={intent ? "intent" : undefined}
          value={intent}
          disabled={pending || disabled}
          aria-busy={pending}
        >
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
