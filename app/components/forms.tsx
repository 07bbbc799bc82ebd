import { getInputProps, type FieldMetadata } from "@conform-to/react";
import { Children, cloneElement, isValidElement, useEffect, useRef, type ReactNode } from "react";

type FieldProps = {
  label: string;
  id: string;
  errors?: string[] | undefined;
  hint?: ReactNode;
  children: ReactNode;
};

/** A labelled form control with its hint and errors, wired up for screen readers. */
export function Field({ label, id, errors, hint, children }: FieldProps) {
  // The control (the child with the field's id) is described by its hint and its error, as well as by
  // whatever it names itself: a hint beside a field is read with it only when tied by aria-describedby.
  const described = [hint ? `${id}-hint` : null, errors?.length ? `${id}-error` : null].filter(Boolean);
  const control = Children.map(children, (child) => {
    if (!described.length || !isValidElement<{ id?: string; "aria-describedby"?: string }>(child)) return child;
    if (child.props.id !== id) return child;
    const own = child.props["aria-describedby"]?.split(/\s+/).filter(Boolean) ?? [];
    return cloneElement(child, {
      "aria-describedby": [...new Set([...own, ...described])].join(" "),
      // Without JS the page after a refused submission is new, and focus would start on <body>: the browser
      // focuses the first `autofocus` in the page, so the first field with an error. With JS the field is
      // already on the page, where React ignores a new autoFocus (Conform focuses it instead).
      ...(errors?.length ? { autoFocus: true } : {}),
    });
  });
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {control}
      {hint ? (
        <p className="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      {errors?.length ? (
        <p className="field-error" id={`${id}-error`} role="alert">
          {errors.join(" ")}
        </p>
      ) : null}
    </div>
  );
}

/**
 * What a refused submission sent in `field`, when it came from the form whose hidden fields are `from`
 * (e.g. `{ intent: "add-fact" }`). Without JS the page after a refusal is new, and its fields would start
 * empty (or at the stored value), losing what was typed.
 */
export function sentValue(
  lastResult: { initialValue?: Record<string, unknown> | null } | undefined,
  from: Record<string, string>,
  field: string,
): string | undefined {
  const sent = lastResult?.initialValue;
  if (!sent || Object.entries(from).some(([name, value]) => sent[name] !== value)) return undefined;
  const value = sent[field];
  return typeof value === "string" ? value : undefined;
}

export function FormErrors({ errors, id }: { errors?: string[] | undefined; id?: string }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    // With JS, an error about the whole form (a wrong sign-in) names no field for Conform to focus, and the
    // submit button, disabled while sending, drops focus to <body> — when the browser gets to it, which may
    // be after this runs: start again at the form's first field unless a field already has focus.
    const active = document.activeElement;
    const inField =
      active instanceof HTMLSelectElement ||
      active instanceof HTMLTextAreaElement ||
      (active instanceof HTMLInputElement && active.type !== "hidden");
    if (!errors?.length || inField) return;
    const first = ref.current
      ?.closest("form")
      ?.querySelector<HTMLElement>("input:not([type=hidden]):not([tabindex='-1']):not(:disabled), select, textarea");
    first?.focus();
  }, [errors]);
  if (!errors?.length) return null;
  return (
    <div className="form-error" role="alert" id={id} ref={ref}>
      {errors.map((error) => (
        <p key={error}>{error}</p>
      ))}
    </div>
  );
}

/** The submit button shows progress while JS is on; without JS it is an ordinary button. */
export function SubmitButton({
  children,
  pending,
  className,
}: {
  children: ReactNode;
  pending?: boolean;
  className?: string;
}) {
  return (
    <button type="submit" disabled={pending} aria-busy={pending} className={className}>
      {children}
    </button>
  );
}

/**
 * A field for a decimal a person types ("0.7", or "0,7" with a decimal comma: ~/validation/number reads
 * both): text with the decimal keypad. A number field drops, as it is typed, what its browser does not
 * take: Chromium sent "0,7" as "07", which was refused as 7, out of range. min, max and step do not apply
 * to text (the label gives the range).
 */
export function decimalInputProps<Schema>(field: FieldMetadata<Schema>) {
  const { min: _min, max: _max, step: _step, ...props } = getInputProps(field, { type: "text" });
  return { ...props, inputMode: "decimal" as const };
}

/**
 * A field for a whole number a person types: text with the number keypad, read by ~/validation/number. A
 * number field drops what its browser does not take: Chromium sent "1,000" as "", refused with a bare
 * "Enter a number." instead of how to write it, and the page lost what was typed.
 */
export function wholeNumberInputProps<Schema>(field: FieldMetadata<Schema>) {
  const { min: _min, max: _max, step: _step, ...props } = getInputProps(field, { type: "text" });
  return { ...props, inputMode: "numeric" as const };
}
