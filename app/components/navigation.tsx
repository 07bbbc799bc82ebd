import { clearAllDrafts } from "~/components/chat/drafts";
import { useComposerFormId, withComposerText } from "~/components/chat/composer";
import { Form, Link, NavLink, useLocation } from "@remix-run/react";
import { useEffect, useRef } from "react";
import { closeOnEscape } from "~/components/disclosure";
import type { Theme } from "~/components/theme";

export type NavItem = { to: string; label: string };
type NavUser = { name: string | null; email: string; role: string };

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

function NavLinks({ items }: { items: NavItem[] }) {
  return (
    <ul className="nav-links">
      {items.map((item) => (
        <li key={item.to}>
          <NavLink to={item.to}>{item.label}</NavLink>
        </li>
      ))}
    </ul>
  );
}

const THEMES: { value: Theme; label: string }[] = [
  { value: "system", label: "System" },
  { value: "light", label: "Light" },
  { value: "dark", label: "Dark" },
];

/** A plain form: the theme is a cookie, so it applies on the server's first paint and needs no JS. */
function ThemeSwitch({ theme }: { theme: Theme }) {
  const location = useLocation();
  // On a conversation the buttons submit its message box's form, so what is typed there is kept.
  const composerForm = useComposerFormId();
  return (
    <Form method="post" action="/theme" className="theme-switch" aria-label="Theme">
      <input type="hidden" name="redirectTo" value={`${location.pathname}${location.search}`} />
      {composerForm ? (
        <input type="hidden" name="redirectTo" value={`${location.pathname}${location.search}`} form={composerForm} />
      ) : null}
      <span className="theme-switch__label">Theme</span>
      {THEMES.map((option) => (
        <button
          key={option.value}
          type="submit"
          name="theme"
          value={option.value}
          className="secondary small"
          aria-pressed={theme === option.value}
          {...withComposerText(composerForm, "/theme")}
        >
          {option.label}
        </button>
      ))}
    </Form>
  );
}

function UserActions({ user, theme }: { user: NavUser | null; theme: Theme }) {
  return (
    <>
      <ThemeSwitch theme={theme} />
      {user ? (
        <div className="user-menu">
          <span className="user-menu__name" title={user.email}>
            {user.name ?? user.email}
          </span>
          <Form method="post" action="/logout" onSubmit={clearAllDrafts}>
            <button type="submit" className="secondary small">
              Sign out
            </button>
          </Form>
        </div>
      ) : (
        <div className="user-menu">
          <Link to="/login" className="button small">
            Sign in
          </Link>
        </div>
      )}
    </>
  );
}

/**
 * The main navigation. Wide screens show it inline; narrow screens fold it into a <details> menu, which
 * opens and closes without JavaScript. Only pages that exist (or land with the same release) are listed.
 */
export function MainNavigation({
  items,
  user,
  theme,
  unread = 0,
}: {
  items: NavItem[];
  user: NavUser | null;
  theme: Theme;
  unread?: number;
}) {
  const menu = useRef<HTMLDetailsElement>(null);
  const location = useLocation();
  // With JS a link click does not reload the page: fold the menu once the new page shows.
  useEffect(() => {
    if (menu.current) menu.current.open = false;
  }, [location.key]);
  return (
    <nav aria-label="Main" className="main-nav">
      <NavLink to="/" className="brand" end>
        <img src="/favicon.svg" alt="" width={24} height={24} />
        <span>ARES</span>
      </NavLink>
      {/* Outside the menu: the unread count shows on a phone without opening it. */}
      {user ? <NotificationBell unread={unread} /> : null}
      <div className="main-nav__wide">
        <NavLinks items={items} />
        <UserActions user={user} theme={theme} />
      </div>
      <details className="main-nav__menu" ref={menu} onKeyDown={closeOnEscape}>
        <summary>Menu</summary>
        <div className="main-nav__panel">
          <NavLinks items={items} />
          <UserActions user={user} theme={theme} />
        </div>
      </details>
    </nav>
  );
}
