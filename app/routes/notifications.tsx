import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useLoaderData, useNavigation } from "@remix-run/react";
import { formatDateTime } from "~/accounts/time-zone";
import { requireUser } from "~/auth/guards.server";
import { ErrorPage } from "~/components/error-page";
import {
  listNotifications,
  markAllRead,
  markRead,
  NotificationNotFoundError,
  PAGE_SIZE,
} from "~/notifications/notifications.server";
import { notificationActionSchema } from "~/notifications/schemas";

export const meta: MetaFunction = () => [{ title: "Notifications · ARES" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const before = new URL(request.url).searchParams.get("before") ?? undefined;
  const items = await listNotifications(user.id, before);
  return {
    items: items.map((item) => ({
      id: item.id,
      kind: item.kind,
      title: item.title,
      body: item.body,
      link: item.link,
      read: item.readAt !== null,
      at: item.createdAt.toISOString(),
      when: formatDateTime(item.createdAt, user.timeZone),
    })),
    older: items.length === PAGE_SIZE ? items.at(-1)!.id : null,
    paged: Boolean(before),
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  const submission = parseWithZod(await request.formData(), { schema: notificationActionSchema });
  if (submission.status !== "success") throw data("That request could not be understood.", { status: 400 });
  const value = submission.value;
  if (value.intent === "read-all") {
    await markAllRead(user.id);
    return redirect("/notifications");
  }
  try {
    const link = await markRead(user.id, value.id);
    // A link is stored by ARES itself; only same-site paths are followed.
    return redirect(
      value.intent === "open" && link?.startsWith("/") && !link.startsWith("//") ? link : "/notifications",
    );
  } catch (error) {
    if (error instanceof NotificationNotFoundError) throw data("Notification not found.", { status: 404 });
    throw error;
  }
}

export default function Notifications() {
  const { items, older, paged } = useLoaderData<typeof loader>();
  const busy = useNavigation().state !== "idle";
  const unread = items.filter((item) => !item.read).length;
  return (
    <section className="card notifications">
      <div className="notifications__header">
        <h1>Notifications</h1>
        {unread > 0 ? (
          <Form method="post">
            <input type="hidden" name="intent" value="read-all" />
            <button type="submit" className="secondary small" disabled={busy}>
              Mark all as read
            </button>
          </Form>
        ) : null}
      </div>
      {items.length === 0 ? (
        <p className="muted">
          {paged ? "No older notifications." : "Nothing yet. Event reminders and your morning briefing appear here."}{" "}
          <Link to="/settings/notifications">Notification settings</Link>
        </p>
      ) : (
        <ul className="plain-list notifications__list">
          {items.map((item) => (
            <li key={item.id} className={item.read ? "notification" : "notification notification--unread"}>
              <div className="notification__main">
                {item.link ? (
                  <Form method="post" className="inline-form">
                    <input type="hidden" name="intent" value="open" />
                    <input type="hidden" name="id" value={item.id} />
                    <button type="submit" className="link-button notification__title">
                      {item.title}
                    </button>
                  </Form>
                ) : (
                  <strong className="notification__title">{item.title}</strong>
                )}
                {item.read ? null : <span className="visually-hidden"> (unread)</span>}
                {item.body ? <p className="notification__body">{item.body}</p> : null}
                <time className="muted" dateTime={item.at}>
                  {item.when}
                </time>
              </div>
              {item.read ? null : (
                <Form method="post">
                  <input type="hidden" name="intent" value="read" />
                  <input type="hidden" name="id" value={item.id} />
                  <button
                    type="submit"
                    className="secondary small"
                    disabled={busy}
                    aria-label={`Mark “${item.title}” as read`}
                  >
                    Mark as read
                  </button>
                </Form>
              )}
            </li>
          ))}
        </ul>
      )}
      {older ? <Link to={`/notifications?before=${encodeURIComponent(older)}`}>Older notifications</Link> : null}
    </section>
  );
}

export function ErrorBoundary() {
  return <ErrorPage />;
}
