import type { MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { openApiDocument } from "~/api/openapi.server";

export const meta: MetaFunction = () => [{ title: "API v1 — ARES" }];

export function loader() {
  return openApiDocument();
}

const schemaId = (ref: string | undefined) => ref?.split("/").pop();

/** The OpenAPI document as a page: readable offline, no third-party viewer. */
export default function ApiDocs() {
  const document = useLoaderData<typeof loader>();
  return (
    <section className="api-docs">
      <h1>{document.info.title}</h1>
      <p>{document.info.description}</p>
      <p>
        Machine-readable: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a> (OpenAPI {document.openapi}).
      </p>
      <h2>Endpoints</h2>
      {Object.entries(document.paths).flatMap(([path, methods]) =>
        Object.entries(methods).map(([method, operation]) => (
          <article key={`${method} ${path}`} id={`${method}-${path}`}>
            <h3>
              <code>
                {method.toUpperCase()} {path}
              </code>
            </h3>
            <p>{operation.summary}</p>
            {operation.description ? <p>{operation.description}</p> : null}
            <dl>
              {Object.entries(operation.responses).map(([status, response]) => (
                <div key={status}>
                  <dt>{status}</dt>
                  <dd>
                    {response.description}
                    {Object.entries(response.content).map(([type, body]) => (
                      <span key={type}>
                        {" "}
                        — <code>{type}</code>
                        {body.schema?.$ref ? (
                          <>
                            {" "}
                            <a href={`#schema-${schemaId(body.schema.$ref)}`}>{schemaId(body.schema.$ref)}</a>
                          </>
                        ) : null}
                      </span>
                    ))}
                  </dd>
                </div>
              ))}
            </dl>
          </article>
        )),
      )}
      <h2>Schemas</h2>
      {Object.entries(document.components.schemas).map(([id, schema]) => (
        <article key={id} id={`schema-${id}`}>
          <h3>{id}</h3>
          {/* Focusable: a wide schema scrolls inside its own box. */}
          <pre tabIndex={0}>{JSON.stringify(schema, null, 2)}</pre>
        </article>
      ))}
    </section>
  );
}
