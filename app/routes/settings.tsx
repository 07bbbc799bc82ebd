import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { NavLink, Outlet } from "@remix-run/react";
import { requireUser } from "~/auth/guards.server";
import { ErrorPage } from "~/components/error-page";

export const meta: MetaFunction = () => [{ title: "Settings · ARES" }];

const SECTIONS = [
  { to: "/settings/profile", label: "Profile" },
  { to: "/settings/assistant", label: "Assistant" },
  { to: "/settings/usage", label: "Usage" },
  { to: "/settings/notifications", label: "Notifications" },
  { to: "/settings/telegram", label: "Telegram" },
  { to: "/settings/password", label: "Password" },
  { to: "/settings/sessions", label: "Sessions" },
  { to: "/settings/data", label: "Your data" },
];

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireUser(request, context);
  return null;
}

export default function SettingsLayout() {
  return (
    <div className="settings-layout">
      <nav aria-label="Settings">
        <h1 className="section-title">Settings</h1>
        <ul>
          {SECTIONS.map((section) => (
            <li key={section.to}>
              <NavLink to={section.to}>{section.label}</NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <div className="settings-content">
        <Outlet />
      </div>
    </div>
  );
}

export function ErrorBoundary() {
  return <ErrorPage />;
}
