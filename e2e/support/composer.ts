/**
 * The message-box specs' shared start (chat-drafts, chat-unsent-signed-out, chat-kept-text*): a new
 * person signed up, a conversation of theirs seeded and open, and the box to type in. `test` from here is
 * Playwright's with the `signedUpIn` fixture; `messageBox` and `endSessionsElsewhere` are what those
 * specs do next.
 */
import { test as base, type Page } from "@playwright/test";
import { seedLongConversation, withE2eDatabase } from "./admin";
import { signUp, untilInteractive } from "./session";

/** The conversation's (or the new chat's) message box. */
export const messageBox = (page: Page) => page.getByRole("textbox", { name: "Message", exact: true });

/** Ends every session of the account on the server, as "Sign out other sessions" elsewhere does. */
export async function endSessionsElsewhere(email: string, baseURL: string): Promise<void> {
  await withE2eDatabase(baseURL, (client) =>
    client.query(`UPDATE "Session" SET "revokedAt" = now() WHERE "userId" = (SELECT id FROM "User" WHERE email = $1)`, [
      email,
    ]),
  );
}

type Opened = { email: string; path: string };

export const test = base.extend<{
  /**
   * Signs a new person up and opens, once the page is interactive: a conversation of `messages` seeded
   * messages (its `path`, with `query` after it), or with `messages: 0` the new-chat page (`/chat`).
   */
  signedUpIn: (options: { messages: number; query?: string }) => Promise<Opened>;
}>({
  // (Playwright names the second argument `use`; another name keeps the React hooks rule out of it.)
  signedUpIn: async ({ page, baseURL }, provide) => {
    await provide(async ({ messages, query = "" }) => {
      const email = await signUp(page);
      const path = messages > 0 ? await seedLongConversation(email, baseURL!, messages) : "/chat";
      await page.goto(`${path}${query}`);
      await untilInteractive(page);
      return { email, path };
    });
  },
});

export { expect } from "@playwright/test";
