import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { NavLink, Outlet } from "@remix-run/react";
import { requireAdmin } from "~/auth/guards.server";
import { ErrorPage } from "~/components/error-page";

export const meta: MetaFunction = () => [{ title: "Admin · ARES" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireAdmin(request, context);
  return null;
}

export default function AdminLayout() {
  return (
    <div className="admin-layout">
      <nav aria-label="Admin" className="sub-nav">
        <h1 className="section-title">Admin</h1>
        <ul>
          <li>
            <NavLink to="/admin/users">Users</NavLink>
          </li>
          <li>
            <NavLink to="/admin/audit">Audit log</NavLink>
          </li>
          <li>
            <NavLink to="/admin/jobs">Jobs</NavLink>
          </li>
          <li>
            <NavLink to="/admin/system">System</NavLink>
          </li>
          <li>
            <NavLink to="/admin/assistant">Assistant</NavLink>
          </li>
        </ul>
      </nav>
      <Outlet />
    </div>
  );
}

export function ErrorBoundary() {
  return <ErrorPage />;
}
