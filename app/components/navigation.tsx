import { Form, Link, NavLink } from "@remix-run/react";

export type NavItem = { to: string; label: string };
type NavUser = { name: string | null; email: string; role: string };

/** Only pages that exist are listed: a link never leads to a placeholder. */
export function MainNavigation({ items, user }: { items: NavItem[]; user: NavUser | null }) {
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
