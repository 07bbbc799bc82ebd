import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { formatDateTime } from "~/accounts/time-zone";
import { OneTimeNotice } from "~/components/one-time-notice";
import { redirectWithNotice, takeNotice } from "~/http/notice.server";
import { requireUser } from "~/auth/guards.server";
import { FormErrors } from "~/components/forms";
import { config } from "~/config/env.server";
import { botUsername } from "~/telegram/bot.server";
import {
  createLinkCode,
  dismissBlockedChat,
  LINK_CODE_TTL_MS,
  listLinkedChats,
  unlinkChat,
} from "~/telegram/linking.server";
import { telegramSettingsSchema } from "~/telegram/schemas";

export const meta: MetaFunction = () => [{ title: "Telegram · Settings · ARES" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  // Linked chats stay listed (and can be unlinked) when the operator has taken the bot token away:
  // only linking a new chat needs the bot.
  const configured = Boolean(config().telegram);
  const [chats, bot] = await Promise.all([listLinkedChats(user.id), configured ? botUsername() : null]);
  const { notice, headers } = await takeNotice(request, user.id, {
    unlinked: "The chat is unlinked. It no longer reaches ARES.",
  });
  const page = {
    notice,
    configured,
    bot,
    codeMinutes: Math.round(LINK_CODE_TTL_MS / 60_000),
    chats: chats.map((chat) => ({
      ...chat,
      linkedAt: chat.linkedAt.toISOString(),
      linked: formatDateTime(chat.linkedAt, user.timeZone),
      unlinkedAt: chat.unlinkedAt?.toISOString() ?? null,
    })),
  };
  return data(page, { headers });
}

const NOT_CONFIGURED = "Telegram is not set up on this ARES instance.";

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  const submission = parseWithZod(await request.formData(), { schema: telegramSettingsSchema });
  if (submission.status !== "success") {
    return data({ error: "That request was not understood. Please try again." }, { status: 400 });
  }
  const { value } = submission;
  if (value.intent === "code") {
    if (!config().telegram) return data({ error: NOT_CONFIGURED }, { status: 409 });
    // The code is shown once, in this answer, and never stored in clear: it is not put in a URL to
    // redirect to (history, logs), so this one form answers with the page instead of a redirect.
    const code = await createLinkCode(user.id);
    return data(
      {
        code: code.code,
        expiresAt: code.expiresAt.toISOString(),
        expires: formatDateTime(code.expiresAt, user.timeZone),
      },
      { headers: { "Cache-Control": "no-store" } },
    );
  }
  if (value.intent === "dismiss") {
    await dismissBlockedChat(user.id, BigInt(value.chatId));
    return redirect("/settings/telegram");
  }
  const origin = { actor: user, ip: context.clientIp, userAgent: context.userAgent };
  const unlinked = await unlinkChat(origin, BigInt(value.chatId));
  if (!unlinked) return data({ error: "That chat is not linked any more." }, { status: 404 });
  return redirectWithNotice("/settings/telegram", "unlinked", user.id);
}

function chatName(chat: { username: string | null; displayName: string | null; chatId: string }): string {
  if (chat.username) return `@${chat.username}`;
  return chat.displayName ?? `chat ${chat.chatId}`;
}

export default function TelegramSettings() {
  const loaded = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";

  const code = actionData && "code" in actionData ? actionData : null;
  const error = actionData && "error" in actionData ? actionData.error : null;
  const linked = loaded.chats.filter((chat) => !chat.unlinkedAt);
  const blocked = loaded.chats.filter((chat) => chat.unlinkedAt && chat.unlinkReason === "blocked");

  return (
    <section className="card">
      <h2>Telegram</h2>
      <p>
        Talk to ARES from Telegram: your messages there go to your conversations here, with the same memory, limits and
        history.
      </p>
      <OneTimeNotice notice={loaded.notice} hidden={Boolean(actionData)} />
      {blocked.map((chat) => (
        <div key={chat.chatId} className="notice warning" role="status">
          <p>
            {chatName(chat)} blocked the bot, so it was unlinked.{" "}
            {loaded.configured
              ? "Link it again below whenever you like."
              : "It can be linked again once Telegram is set up on this ARES instance."}
          </p>
          <Form method="post">
            <input type="hidden" name="intent" value="dismiss" />
            <input type="hidden" name="chatId" value={chat.chatId} />
            <button type="submit" className="secondary small" disabled={busy}>
              Dismiss
            </button>
          </Form>
        </div>
      ))}
      <FormErrors errors={error ? [error] : undefined} />

      <h3>Link a chat</h3>
      {!loaded.configured ? (
        <p>
          {NOT_CONFIGURED} The operator can turn it on by creating a bot with @BotFather and setting{" "}
          <code>TELEGRAM_BOT_TOKEN</code>.
        </p>
      ) : code ? (
        <div className="telegram-code" role="status">
          <p>
            {loaded.bot ? (
              <>
                Open <a href={`https://t.me/${loaded.bot}?start=${code.code}`}>t.me/{loaded.bot}</a> and press Start, or
                send <code>/start {code.code}</code> to @{loaded.bot}.
              </>
            ) : (
              <>
                Send <code>/start {code.code}</code> to the bot.
              </>
            )}
          </p>
          <p className="muted">
            The code works once, until <time dateTime={code.expiresAt}>{code.expires}</time>.
          </p>
        </div>
      ) : (
        <p>
          Get a one-time code (valid {loaded.codeMinutes} minutes) and send it to the bot from the chat you want to
          link.
        </p>
      )}
      {loaded.configured ? (
        <Form method="post">
          <input type="hidden" name="intent" value="code" />
          <button type="submit" disabled={busy}>
            {code ? "Get a new code" : "Get a linking code"}
          </button>
        </Form>
      ) : null}

      <h3>Linked chats</h3>
      {linked.length === 0 ? (
        <p className="muted">No chat is linked.</p>
      ) : (
        <ul className="plain-list">
          {linked.map((chat) => (
            <li key={chat.chatId}>
              <strong>{chatName(chat)}</strong>{" "}
              <span className="muted">
                linked <time dateTime={chat.linkedAt}>{chat.linked}</time>
              </span>
              {chat.conversationId ? (
                <>
                  {" · "}
                  <Link to={`/chat/${chat.conversationId}`}>current conversation</Link>
                </>
              ) : null}
              <Form method="post">
                <input type="hidden" name="intent" value="unlink" />
                <input type="hidden" name="chatId" value={chat.chatId} />
                <button
                  type="submit"
                  className="secondary small"
                  disabled={busy}
                  aria-label={`Unlink ${chatName(chat)}`}
                >
                  Unlink
                </button>
              </Form>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
