/**
 * What is typed in the message box survives an edit's Cancel, Delete conversation (kept for the new
 * conversation's box, which says so) and a theme switch the write limit refused — without JS, where each
 * posts the box's form and the page comes back from a redirect; with JS the box is never left (but Delete
 * carries its text to the new conversation's box, as the page it was on is gone).
 */
import { startServer, type ServerProcess } from "../tests/support/server-process";
import { e2eDatabaseUrl, seedLongConversation } from "./support/admin";
import { expect, messageBox as box, test } from "./support/composer";
import { signUp, untilInteractive } from "./support/session";

test("Cancel of an edit in place leaves what is typed in the box", async ({ page, signedUpIn }) => {
  const { path } = await signedUpIn({ messages: 2 });
  await page
    .getByRole("button", { name: "Edit" })
    .or(page.getByRole("link", { name: "Edit" }))
    .first()
    .click();
  const edit = page.getByLabel("Edit your message");
  await expect(edit).toBeVisible();
  await box(page).fill("Typed while editing");
  await page.locator(".edit-in-place").getByText("Cancel", { exact: true }).click();
  await expect(edit).toBeHidden();
  await expect(page).toHaveURL((url) => url.pathname === path && !url.searchParams.has("edit"));
  await expect(box(page)).toHaveValue("Typed while editing");
});

test("Delete conversation: what is typed waits in the new conversation's box, and the page says so", async ({
  page,
  signedUpIn,
}) => {
  await signedUpIn({ messages: 2 });
  await box(page).fill("Typed before deleting");
  await page.getByText("Conversation menu").click();
  await page.locator(".menu__panel").getByText("Delete", { exact: true }).click();
  await page.getByRole("button", { name: "Delete conversation" }).click();
  await page.waitForURL((url) => url.pathname === "/chat");
  // With JS too: the panel's form carries the box's text, whose page is gone.
  await expect(page.getByText("What you had typed in its message box is in the box below.")).toBeVisible();
  await expect(box(page)).toHaveValue("Typed before deleting");
  await expect(page.getByRole("link", { name: "A long talk (2 messages)" })).toHaveCount(0);
});

test.describe("the write limit", () => {
  let limited: ServerProcess;
  test.beforeAll(async ({ baseURL }) => {
    limited = await startServer({
      // A free port of its own (startServer's default), as the other specs' servers: runs at once never collide.
      DATABASE_URL: e2eDatabaseUrl(baseURL!),
      RATE_LIMIT_WRITE_PER_MINUTE: "2",
    });
  });
  test.afterAll(async () => {
    await limited?.stop();
  });

  test("a theme switch it refuses leaves the theme and what is typed in the box", async ({ page, baseURL }) => {
    const email = await signUp(page, { origin: limited.url });
    const path = await seedLongConversation(email, baseURL!, 2);
    await page.goto(`${limited.url}${path}`);
    await untilInteractive(page);
    // Two writes of this person's (Pin, Unpin): the limit is reached.
    for (const intent of ["pin", "unpin"]) {
      const response = await page.request.post(`${limited.url}${path}`, {
        form: { intent },
        headers: { origin: limited.url },
        maxRedirects: 0,
      });
      expect(response.status()).toBe(302);
    }
    await box(page).fill("Typed, then Dark");
    await page.locator(".main-nav__wide").getByRole("button", { name: "Dark" }).click();
    await expect(page.getByText(/You have sent a lot of requests in a short time/).first()).toBeVisible();
    await expect(page.locator("html")).not.toHaveAttribute("data-theme", "dark");
    expect(new URL(page.url()).pathname).toBe(path);
    await expect(box(page)).toHaveValue("Typed, then Dark");
  });
});
