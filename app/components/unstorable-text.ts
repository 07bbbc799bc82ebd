import { NUL_MESSAGE } from "~/validation/text";

/**
 * With JS, a field holding a NUL character (pasted binary) holds its form back with the reason, in the
 * browser, before a round trip. Sent, it would meet the server's body guard: the pages of
 * page-forms.server.ts answer with the form and the reason, any other form gets an error page and what
 * was typed is lost. Forms validated by Conform (noValidate) check the same in their schema (withoutNul).
 */
export function holdBackUnstorableText(root: Document): () => void {
  const onInput = (event: Event) => {
    const field = event.target;
    if (!(field instanceof HTMLInputElement || field instanceof HTMLTextAreaElement)) return;
    field.setCustomValidity(field.value.includes("\u0000") ? NUL_MESSAGE : "");
  };
  root.addEventListener("input", onInput, true);
  return () => root.removeEventListener("input", onInput, true);
}
