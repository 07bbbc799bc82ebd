import { ErrorPage } from "~/components/error-page";

// Every unmatched address lands here so that the 404 renders inside the app's layout.
export function loader() {
  throw new Response("Not found", { status: 404 });
}

export default function NotFound() {
  return null;
}

export function ErrorBoundary() {
  return <ErrorPage />;
}
