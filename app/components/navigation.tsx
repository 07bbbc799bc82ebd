import { NavLink } from "@remix-run/react";

export type NavItem = { to: string; label: string };

/** Only pages that exist are listed: a link never leads to a placeholder. */
export function MainNavigation({ items }: { items: NavItem[] }) {
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
    </nav>
  );
}
