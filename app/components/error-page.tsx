import { isRouteErrorResponse, Link, useRouteError, useRouteLoaderData } from "@remix-run/react";
import { useEffect } from "react";
import { reportBoundaryError } from "~/observability/error-reporting.client";
import {
  NO_ACCESS_MESSAGE,
  NOT_ALLOWED_TITLE,
  NOT_FOUND_MESSAGE,
  NOT_FOUND_TITLE,
  SHOWN_REASON_MAX_LENGTH,
} from "~/http/refusal-text";
import { reportRequestFailure } from "./offline-banner";

type RootData = { requestId: string };

function describe(error: unknown): { status: number; title: string; message: string } {
  if (isRouteErrorResponse(error)) {
    if (error.status === 404) {
      return { status: 404, title: NOT_FOUND_TITLE, message: NOT_FOUND_MESSAGE };
    }
    if (error.status === 403) {
      // Each refusal says why (an admin page, or an event of a subscribed calendar naming its subscription).
      const said = typeof error.data === "string" && error.data !== "" && error.data.length <= SHOWN_REASON_MAX_LENGTH;
      return {
        status: 403,
        title: NOT_ALLOWED_TITLE,
        message: said ? error.data : NO_ACCESS_MESSAGE,
      };
    }
    if (error.status === 503) {
      return {
        status: 503,
        title: "Temporarily unavailable",
        message:
          "ARES cannot reach its database right now. Nothing you saved is lost; please try again in a few seconds.",
      };
    }
    const detail = typeof error.data === "string" && error.data.length < 300 ? error.data : error.statusText;
    // Refusals made before Remix (remix-data-refusal.server.ts) carry their title as the status text.
    const titled = error.status === 429 || error.status === 413;
    return {
      status: error.status,
      title: titled && error.statusText ? error.statusText : `Error ${error.status}`,
      message: detail || "The request could not be completed.",
    };
  }
  return {
    status: 500,
    title: "Something went wrong",
    message: "ARES hit an unexpected problem while handling this page. It has been logged; please try again.",
  };
}

function isNetworkFailure(error: unknown): boolean {
  return error instanceof TypeError && /fetch|network/i.test(error.message);
}

/**
 * The friendly page every error boundary renders: no stack traces, and the request id for support. A
 * boundary that knows better than the status what happened gives the page's `title` and `message`.
 */
export function ErrorPage({
  requestId: explicitId,
  title: ownTitle,
  message: ownMessage,
}: {
  requestId?: string;
  title?: string;
  message?: string;
}) {
  const error = useRouteError();
  const rootData = useRouteLoaderData<RootData>("root");
  const described = describe(error);
  const { status } = described;
  const title = ownTitle ?? described.title;
  const message = ownMessage ?? described.message;
  const requestId = explicitId ?? rootData?.requestId;

  useEffect(() => {
    // Being offline is not a fault of ARES: the banner says so, and nothing is reported.
    if (isNetworkFailure(error)) reportRequestFailure();
    else reportBoundaryError(error);
  }, [error]);

  return (
    <section className="error-page" aria-labelledby="error-title" data-status={status}>
      <p className="error-page__status">{status}</p>
      <h1 id="error-title">{title}</h1>
      <p>{message}</p>
      {requestId ? (
        <p className="error-page__id">
          Request id: <code>{requestId}</code>
        </p>
      ) : null}
      <p>
        <Link to="/">Go to the home page</Link>
      </p>
    </section>
  );
}
