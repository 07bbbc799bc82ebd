/**
 * Message actions where the message is (issue #12 part 4), with JS and without: Regenerate keeps
 * versions to page through, the chosen one is what the next prompt carries (checked at the stand-in
 * provider); my newest message is edited in place with Save and Cancel; the model picker names provider
 * and model.
 */
import { expect, test, type Page } from "@playwright/test";
import { untilReplyEnds } from "./support/chat";
import { receivedChats } from "./support/llm";
import { signUp } from "./support/session";

/** A reply with a code block, whose Copy button is portalled into it: paging versions unmounts such replies. */
const TEAL = 'Teal, say:\n\n```\ncolour = "teal"\n```';

const js = () => test.info().project.use.javaScriptEnabled !== false;

/** Text no other test (nor the other project, sharing the stand-in) sends. */
const unique = (what: string) => `${what} ${test.info().project.name} ${Date.now().toString(36)}`;

async function startConversation(page: Page, message: string) {
  await page.goto("/chat");
  await page.getByRole("textbox", { name: "Message", exact: true }).fill(message);
  await page.getByRole("button", { name: "Send" }).click();
  await page.waitForURL(/\/chat\/[a-z0-9]+(#latest)?$/);
}

/** The newest reply, once complete (without JS the page refreshes itself until it is). */
async function expectReply(page: Page, text: string) {
  await untilReplyEnds(page);
  const reply = page.locator('.message--assistant[data-status="complete"]').last();
  await expect(reply).toContainText(text, { timeout: 15_000 });
  return reply;
}

test.describe("chat message actions", () => {
  test.beforeEach(async ({ page }) => {
    await signUp(page);
  });

  test("Regenerate twice: three versions to page through; the chosen one is sent with the next message", async ({
    page,
    baseURL,
  }) => {
    // Three replies, three version switches and a send: room for a busy machine.
    test.setTimeout(120_000);
    const question = unique("name a colour");
    await startConversation(page, `[[stub:takes=1]] [[reply:${TEAL}]] ${question}`);
    await expectReply(page, "(take 1)");
    await expect(page.getByTestId("version-position")).toHaveCount(0);

    await page.getByRole("button", { name: "Regenerate" }).click();
    await expect(await expectReply(page, "(take 2)")).toContainText("2 / 2");
    await page.getByRole("button", { name: "Regenerate" }).click();
    const reply = await expectReply(page, "(take 3)");
    await expect(reply.getByTestId("version-position")).toContainText("3 / 3");
    await expect(reply.getByRole("button", { name: "Next version" })).toBeDisabled();

    // A draft in the message box survives paging (with JS nothing reloads; without, nothing was typed).
    const box = page.getByRole("textbox", { name: "Message", exact: true });
    const draft = unique("a draft");
    if (js()) await box.fill(draft);
    await reply.getByRole("button", { name: "Previous version" }).click();
    await expect(page.getByTestId("version-position")).toContainText("2 / 3");
    if (js()) await expect(box).toHaveValue(draft);
    await page.getByRole("button", { name: "Previous version" }).click();
    await expect(page.getByTestId("version-position")).toContainText("1 / 3");
    await expect(page.locator(".message--assistant")).toContainText("(take 1)");
    await expect(page.getByRole("button", { name: "Previous version" })).toBeDisabled();
    // By keyboard: › shows the next version, and (with JS) focus stays on the pager.
    await page.getByRole("button", { name: "Next version" }).focus();
    await page.keyboard.press("Enter");
    await expect(page.getByTestId("version-position")).toContainText("2 / 3");
    if (js()) {
      await expect(page.getByRole("button", { name: "Next version" })).toBeFocused();
      await expect(box).toHaveValue(draft);
    }
    // One reply in the thread, whichever version shows.
    await expect(page.locator(".message--assistant")).toHaveCount(1);
    await expect(page.locator(".message--assistant")).toContainText("(take 2)");
    await expect(page).toHaveURL(/#latest$/);

    const follow = unique("and why");
    await box.fill(follow);
    await page.getByRole("button", { name: "Send" }).click();
    await expectReply(page, follow);
    // The reload shows the same choice, and the stand-in model saw only that version in the history.
    await page.reload();
    await expect(page.locator(".message--assistant").first()).toContainText("(take 2)");
    const sent = (await receivedChats(baseURL!)).findLast((turns) => turns.at(-1)?.content?.includes(follow));
    const earlierReplies = sent!.filter((turn) => turn.role === "assistant").map((turn) => turn.content);
    expect(earlierReplies).toHaveLength(1);
    // (Without JS the form sends the message's line breaks as CRLF, and the stub echoes them.)
    expect(earlierReplies[0]).toContain('colour = "teal"');
    expect(earlierReplies[0]).toMatch(/\(take 2\)$/);
    expect(earlierReplies[0]).toContain("(take 2)");
  });

  test("edit my newest message in place: Cancel keeps it, Save resends it", async ({ page }) => {
    const first = unique("first wording");
    await startConversation(page, first);
    await expectReply(page, first);
    const mine = page.locator(".message--user").last();

    await mine.getByRole(js() ? "link" : "button", { name: "Edit", exact: true }).click();
    const box = mine.getByLabel("Edit your message");
    await expect(box).toHaveValue(first);
    // With JS the editor opens where the message is without a round trip; without JS through ?edit=.
    if (js()) {
      await expect(box).toBeFocused();
      expect(new URL(page.url()).searchParams.has("edit")).toBe(false);
    } else expect(new URL(page.url()).searchParams.get("edit")).toBeTruthy();
    await box.fill("never sent");
    // Without JS Cancel is a button of the message box's form (what is typed there goes with it).
    await mine.getByRole(js() ? "link" : "button", { name: "Cancel" }).click();
    await expect(page.getByLabel("Edit your message", { exact: true })).toHaveCount(0);
    await expect(mine).toContainText(first);

    await mine.getByRole(js() ? "link" : "button", { name: "Edit", exact: true }).click();
    const second = unique("second wording");
    await mine.getByLabel("Edit your message").fill(second);
    await mine.getByRole("button", { name: "Save" }).click();
    await expectReply(page, second);
    await expect(page.locator(".message--user")).toHaveCount(1);
    await expect(page.locator(".message--user")).toContainText(second);
    await expect(page.locator(".message--assistant")).toHaveCount(1);
    await expect(page.getByTestId("version-position")).toHaveCount(0);
  });

  test("the model picker names provider and model; with JS a change applies at once", async ({ page }) => {
    await startConversation(page, unique("which model"));
    await expectReply(page, "which model");
    const picker = page.getByLabel("Model", { exact: true });
    await expect(picker.locator("option", { hasText: "Ollama · stub/large" })).toHaveCount(1);
    const saved = page.waitForResponse((response) => response.request().method() === "POST");
    await picker.selectOption("ollama:stub/large");
    if (js()) await expect(page.getByRole("button", { name: "Use model" })).toHaveCount(0);
    else await page.getByRole("button", { name: "Use model" }).click();
    await saved;
    await expect(picker.locator("option:checked")).toHaveText("Ollama · stub/large");
    // Applied on the server: the reload and the next reply say so.
    await page.reload();
    await expect(page.getByLabel("Model", { exact: true }).locator("option:checked")).toHaveText("Ollama · stub/large");
    await page.getByRole("textbox", { name: "Message", exact: true }).fill(unique("and now"));
    await page.getByRole("button", { name: "Send" }).click();
    await expectReply(page, "and now");
    await expect(page.getByTestId("provider-badge").last()).toContainText("Ollama · stub/large");
  });
});
