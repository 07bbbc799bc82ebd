import { Form, Link, NavLink } from "@remix-run/react";

export type NavItem = { to: string; label: string };
type NavUser = { name: string | null; email: string; role: string };

/** Only pages that exist are listed: a link never leads to a placeholder. */
/** The bell: a link to /notifications with the unread count, announced to screen readers in words. */
export function NotificationBell({ unread }: { unread: number }) {
  const count = unread >= UNREAD_DISPLAY_CAP ? `${UNREAD_DISPLAY_CAP - 1}+` : String(unread);
  const label = unread === 0 ? "Notifications" : `Notifications, ${count} unread`;
  return (
    <NavLink to="/notifications" className="bell" aria-label={label} title={label}>
      <svg aria-hidden="true" viewBox="0 0 24 24" width="20" height="20">
        <path
          fill="currentColor"
          d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2Z"
        />
      </svg>
      {unread > 0 ? <span className="bell__count">{count}</span> : null}
    </NavLink>
  );
}

const UNREAD_DISPLAY_CAP = 100;

export function MainNavigation({
  items,
  user,
  unread = 0,
}: {
  items: NavItem[];
  user: NavUser | null;
  unread?: number;
}) {
  return (
    <nav aria-label="Main" className="main-nav">
      <NavLink to="/" className="brand" end>
        <img src="/favicon.svg" alt="" width={24} height={24} />
        <span>ARES</span>
      </NavLink>
      <ul>
        {items.map((item) => (
          <li key={item.to}>
            <NavLink to={item.to}>{item.label}</NavLink>
          </li>
        ))}
      </ul>
      {user ? (
        <div className="user-menu">
          <NotificationBell unread={unread} />
          <span className="user-menu__name" title={user.email}>
            {user.name ?? user.email}
          </span>
          <Form method="post" action="/logout">
            <button type="submit" className="secondary small">
              Sign out
            </button>
          </Form>
        </div>
      ) : (
        <div className="user-menu">
          <Link to="/login">Sign in</Link>
        </div>
      )}
    </nav>
  );
}
