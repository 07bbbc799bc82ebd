/**
 * Unsent text in a message box, kept in this tab (sessionStorage) per page address, so it survives a
 * send that never arrived: a session ended elsewhere sends the person to sign in, and the box they come
 * back to starts from what they had typed. Drafts only, never anything that signs in. With JS only.
 * A draft belongs to the person who typed it: its key names them, and signing out removes every draft,
 * so the next person to sign in on this tab never sees it.
 */
const PREFIX = "ares:draft:";

function storage(): Storage | null {
  try {
    return window.sessionStorage;
  } catch (error) {
    // Storage can be switched off (private modes, policies): drafts are then simply not kept.
    if (!(error instanceof DOMException)) throw error;
    return null;
  }
}

function attempt(work: (store: Storage) => void): void {
  const store = storage();
  if (!store) return;
  try {
    work(store);
  } catch (error) {
    // Full or refused storage loses the draft, never the typing.
    if (!(error instanceof DOMException)) throw error;
  }
}

export function saveDraft(key: string, text: string): void {
  attempt((store) => (text.trim() ? store.setItem(PREFIX + key, text) : store.removeItem(PREFIX + key)));
}

export function readDraft(key: string): string | null {
  try {
    return storage()?.getItem(PREFIX + key) ?? null;
  } catch (error) {
    if (!(error instanceof DOMException)) throw error;
    return null;
  }
}

export function clearDraft(key: string): void {
  attempt((store) => store.removeItem(PREFIX + key));
}

/** The key of a page's draft for the signed-in person (null when nobody is signed in: nothing is kept). */
export function draftKeyFor(owner: string | null | undefined, page: string): string | null {
  return owner ? `${owner}:${page}` : null;
}

/** Every draft in this tab, whoever typed it: on signing out. */
export function clearAllDrafts(): void {
  attempt((store) => {
    const keys = Array.from({ length: store.length }, (_, index) => store.key(index));
    for (const key of keys) if (key?.startsWith(PREFIX)) store.removeItem(key);
  });
}
