import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Links, Meta, Outlet, Scripts, ScrollRestoration, useRouteLoaderData } from "@remix-run/react";
import { useEffect, type ReactNode } from "react";
import { FieldPanelDefaultButton } from "~/components/chat/composer";
import { closeMenusOnEscape } from "~/components/disclosure";
import { ErrorPage } from "~/components/error-page";
import { MainNavigation, type NavItem } from "~/components/navigation";
import { useNonce } from "~/components/nonce";
import { NotificationPoller } from "~/components/notification-poller";
import { OfflineBanner } from "~/components/offline-banner";
import { PendingIndicator } from "~/components/pending-indicator";
import { RouteFocus } from "~/components/route-focus";
import { themeFromCookie } from "~/components/theme";
import { holdBackUnstorableText } from "~/components/unstorable-text";
// zod's messages in plain English, in the browser (Conform validates there) and on the server.
import "~/validation/messages";
import { browserErrorReporting } from "~/observability/error-reporting.server";
import { ERROR_REPORTING_META } from "~/observability/error-reporting.shared";
import type { SessionUser } from "~/sessions/types";
import stylesheet from "~/styles/app.css?url";

export const links: LinksFunction = () => [
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
  { rel: "stylesheet", href: stylesheet },
];

export const meta: MetaFunction = () => [
  { title: "ARES" },
  { name: "description", content: "Your self-hosted personal assistant" },
];

// Pages join this list as they land (Notifications next).
function navigationFor(user: SessionUser | null): NavItem[] {
  if (!user) return [];
  const items: NavItem[] = [
    { to: "/chat", label: "Chat" },
    { to: "/calendar", label: "Calendar" },
    { to: "/memory", label: "Memory" },
    { to: "/settings", label: "Settings" },
  ];
  if (user.role === "admin") items.push({ to: "/admin", label: "Admin" });
  return items;
}

export function loader({ context, request }: LoaderFunctionArgs) {
  const user = context.auth.user;
  return {
    requestId: context.requestId,
    theme: themeFromCookie(request.headers.get("Cookie")),
    navigation: navigationFor(user),
    user: user ? { name: user.name, email: user.email, role: user.role } : null,
    unreadNotifications: context.auth.unreadNotifications ?? 0,
    errorReporting: browserErrorReporting(),
  };
}

type RootData = ReturnType<typeof loader>;

export function Layout({ children }: { children: ReactNode }) {
  const nonce = useNonce();
  const data = useRouteLoaderData<RootData>("root");
  useEffect(() => {
    // Says the page is interactive (error pages too): end-to-end tests wait for it before typing with JS
    // on, since a field filled before hydration can be reset by it.
    document.documentElement.dataset.hydrated = "true";
    const stopClosingMenus = closeMenusOnEscape(document);
    const stopHoldingBack = holdBackUnstorableText(document);
    return () => {
      stopClosingMenus();
      stopHoldingBack();
    };
  }, []);
  return (
    <html lang="en" data-theme={data?.theme ?? "system"}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        {data?.errorReporting ? (
          <meta name={ERROR_REPORTING_META} content={JSON.stringify(data.errorReporting)} />
        ) : null}
        <Links />
      </head>
      <body>
        <a href="#main" className="skip-link">
          Skip to content
        </a>
        <PendingIndicator />
        {/* Before the header's theme buttons: Enter in the rename field (no JS) renames. */}
        <FieldPanelDefaultButton />
        <header className="site-header">
          <MainNavigation
            items={data?.navigation ?? []}
            user={data?.user ?? null}
            theme={data?.theme ?? "system"}
            unread={data?.unreadNotifications ?? 0}
          />
          <NotificationPoller signedIn={Boolean(data?.user)} />
        </header>
        <OfflineBanner />
        <main id="main" tabIndex={-1}>
          {children}
        </main>
        <RouteFocus />
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

export default function App() {
  return <Outlet />;
}

export function ErrorBoundary() {
  return <ErrorPage />;
}
