import { openApiDocument } from "~/api/openapi.server";

export function loader() {
  return Response.json(openApiDocument(), { headers: { "Cache-Control": "public, max-age=300" } });
}
