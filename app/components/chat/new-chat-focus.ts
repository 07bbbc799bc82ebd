/**
 * The first message of a new chat is sent from a page whose box is gone once the conversation opens.
 * The sending page marks the send (this tab only, for the next page); the conversation takes the mark
 * on arrival and puts focus in its own box. Any other arrival (a search hit, a list link) leaves focus
 * where the person put it.
 */
const MARK = "ares:new-chat-sent";

export function markNewChatSent(): void {
  try {
    window.sessionStorage.setItem(MARK, "1");
  } catch (error) {
    // Storage can be switched off (private modes, policies): focus then simply stays where it falls.
    if (!(error instanceof DOMException)) throw error;
  }
}

export function takeNewChatSent(): boolean {
  try {
    const marked = window.sessionStorage.getItem(MARK) !== null;
    window.sessionStorage.removeItem(MARK);
    return marked;
  } catch (error) {
    if (!(error instanceof DOMException)) throw error;
    return false;
  }
}
