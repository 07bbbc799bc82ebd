import { z } from "zod";
import {
  conversationListSchema,
  conversationSchema,
  createConversationRequestSchema,
  messageListSchema,
  messageSchema,
  sendMessageRequestSchema,
  sendMessageResponseSchema,
} from "~/chat/api-schemas";
import { purgeSessionsResponseSchema } from "~/sessions/api-schemas";
import { webhookResponseSchema } from "~/telegram/schemas";
import { healthReportSchema, liveResponseSchema, readyResponseSchema } from "~/health/schemas.server";
import packageJson from "../../package.json";
import { PROBLEM_CONTENT_TYPE, problemSchema } from "~/http/problem.server";

/**
 * The OpenAPI 3.1 description of /api/v1, generated from the zod schemas the endpoints use.
 * To document a new endpoint: register its schemas below and add an entry to `operations`.
 */

const schemas = z.registry<{ id: string }>();
schemas.add(problemSchema, { id: "Problem" });
schemas.add(liveResponseSchema, { id: "Liveness" });
schemas.add(readyResponseSchema, { id: "Readiness" });
schemas.add(healthReportSchema, { id: "HealthReport" });
schemas.add(conversationSchema, { id: "Conversation" });
schemas.add(conversationListSchema, { id: "ConversationList" });
schemas.add(createConversationRequestSchema, { id: "CreateConversationRequest" });
schemas.add(messageSchema, { id: "Message" });
schemas.add(messageListSchema, { id: "MessageList" });
schemas.add(sendMessageRequestSchema, { id: "SendMessageRequest" });
schemas.add(sendMessageResponseSchema, { id: "SendMessageResponse" });
schemas.add(purgeSessionsResponseSchema, { id: "PurgeSessionsResponse" });
schemas.add(webhookResponseSchema, { id: "TelegramWebhookResponse" });

type Reply = { description: string; schema?: z.ZodType; contentType?: string };

type Operation = {
  method: "get" | "post" | "put" | "patch" | "delete";
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  /** Needs `Authorization: Bearer <INTERNAL_API_KEY>`. */
  internal?: boolean;
  /** Needs the signed-in session cookie. */
  session?: boolean;
  parameters?: Array<{ name: string; in: "path" | "query"; description: string; required?: boolean }>;
  requestBody?: z.ZodType;
  /** False where an empty body is taken (every field optional): the document says what the API does. */
  requestBodyRequired?: boolean;
  responses: Record<number, Reply>;
};

const operations: Operation[] = [
  {
    method: "get",
    path: "/api/v1/health/live",
    operationId: "getLiveness",
    summary: "Liveness: the process is up",
    description: "Touches no dependency, so an orchestrator never restarts a healthy process during an outage.",
    tags: ["health"],
    responses: { 200: { description: "The process serves requests", schema: liveResponseSchema } },
  },
  {
    method: "get",
    path: "/api/v1/health/ready",
    operationId: "getReadiness",
    summary: "Readiness: database reachable, migrations applied, Redis reachable (when configured)",
    description: "Public: each check's status and latency only; the reasons are in the operators' report.",
    tags: ["health"],
    responses: {
      200: { description: "Ready for traffic", schema: readyResponseSchema },
      503: { description: "Not ready; `checks` says why", schema: readyResponseSchema },
    },
  },
  {
    method: "get",
    path: "/api/v1/health",
    operationId: "getHealthReport",
    summary: "Every dependency's status and latency (admins, INTERNAL_API_KEY or METRICS_TOKEN)",
    description:
      "For operators: a signed-in admin, or `Authorization: Bearer` with INTERNAL_API_KEY or METRICS_TOKEN. " +
      "Checks are time-limited and cached for a few seconds. Error texts never contain secrets.",
    tags: ["health"],
    responses: {
      200: {
        description: "ARES works (optional providers may be down: status `degraded`)",
        schema: healthReportSchema,
      },
      503: { description: "A dependency ARES needs is down", schema: healthReportSchema },
      401: {
        description: "No admin session or operator token",
        schema: problemSchema,
        contentType: PROBLEM_CONTENT_TYPE,
      },
      403: { description: "Signed in, but not an admin", schema: problemSchema, contentType: PROBLEM_CONTENT_TYPE },
    },
  },
  {
    method: "get",
    path: "/api/v1/openapi.json",
    operationId: "getOpenApiDocument",
    summary: "This document",
    tags: ["meta"],
    responses: { 200: { description: "OpenAPI 3.1 document", contentType: "application/json" } },
  },
  {
    method: "get",
    path: "/api/v1/docs",
    operationId: "getApiDocs",
    summary: "This document as a readable page",
    tags: ["meta"],
    responses: { 200: { description: "HTML", contentType: "text/html" } },
  },
  {
    method: "get",
    path: "/api/v1/conversations",
    operationId: "listConversations",
    summary: "My conversations, pinned first, newest first",
    tags: ["chat"],
    session: true,
    parameters: [{ name: "after", in: "query", description: "The `next` cursor of the previous page" }],
    responses: {
      200: { description: "A page of conversations", schema: conversationListSchema },
      400: {
        description: "`after` is not a cursor this API gave out (invalid_cursor)",
        schema: problemSchema,
        contentType: PROBLEM_CONTENT_TYPE,
      },
    },
  },
  {
    method: "post",
    path: "/api/v1/conversations",
    operationId: "createConversation",
    summary: "Start a new, empty conversation",
    tags: ["chat"],
    session: true,
    requestBody: createConversationRequestSchema,
    requestBodyRequired: false,
    responses: {
      201: { description: "Created", schema: conversationSchema },
      400: { description: "The body is not valid JSON", schema: problemSchema, contentType: PROBLEM_CONTENT_TYPE },
      422: {
        description: "A field is missing, out of range, or not one this request takes (invalid_request)",
        schema: problemSchema,
        contentType: PROBLEM_CONTENT_TYPE,
      },
    },
  },
  {
    method: "get",
    path: "/api/v1/conversations/{conversationId}/messages",
    operationId: "listMessages",
    summary: "A page of a conversation's messages, oldest first",
    tags: ["chat"],
    session: true,
    parameters: [
      { name: "conversationId", in: "path", description: "The conversation", required: true },
      { name: "before", in: "query", description: "The `earlier` cursor of the later page" },
    ],
    responses: {
      200: { description: "A page of messages", schema: messageListSchema },
      400: {
        description: "`before` is not a cursor this API gave out (invalid_cursor)",
        schema: problemSchema,
        contentType: PROBLEM_CONTENT_TYPE,
      },
      404: { description: "No such conversation of yours", schema: problemSchema, contentType: PROBLEM_CONTENT_TYPE },
    },
  },
  {
    method: "post",
    path: "/api/v1/conversations/{conversationId}/messages",
    operationId: "sendMessage",
    summary: "Send a message; the reply is generated in the background",
    description:
      "With `Accept: text/event-stream` the reply streams back as Server-Sent Events: `snapshot` (the text so far), " +
      '`token` (each new piece), `html` (the text so far rendered as safe HTML, `{"html": "<p>…</p>"}`, at most every ' +
      "120 ms) and `done` (its final status). Otherwise 202 with the ids and a stream URL.",
    tags: ["chat"],
    session: true,
    parameters: [{ name: "conversationId", in: "path", description: "The conversation", required: true }],
    requestBody: sendMessageRequestSchema,
    responses: {
      200: { description: "The reply as Server-Sent Events", contentType: "text/event-stream" },
      202: { description: "Accepted; follow streamUrl", schema: sendMessageResponseSchema },
      400: { description: "The body is not valid JSON", schema: problemSchema, contentType: PROBLEM_CONTENT_TYPE },
      404: { description: "No such conversation of yours", schema: problemSchema, contentType: PROBLEM_CONTENT_TYPE },
      422: {
        description: "A field is missing, out of range, or not one this request takes (invalid_request)",
        schema: problemSchema,
        contentType: PROBLEM_CONTENT_TYPE,
      },
      429: {
        description: "Over the message rate or daily token budget",
        schema: problemSchema,
        contentType: PROBLEM_CONTENT_TYPE,
      },
    },
  },
  {
    method: "post",
    path: "/api/v1/internal/sessions/purge",
    operationId: "purgeEndedSessions",
    summary: "Delete sessions that ended more than a week ago (for schedulers)",
    tags: ["internal"],
    internal: true,
    responses: { 200: { description: "How many were deleted", schema: purgeSessionsResponseSchema } },
  },
  {
    method: "post",
    path: "/api/v1/telegram/webhook",
    operationId: "receiveTelegramUpdate",
    summary: "Telegram delivers one update (webhook mode, PUBLIC_URL set)",
    description:
      "Called by Telegram, authenticated by the X-Telegram-Bot-Api-Secret-Token header ARES registered with setWebhook. Each update_id is handled once. " +
      "When webhooks are off here (no TELEGRAM_BOT_TOKEN, or no PUBLIC_URL: polling) every call is 404, secret or not.",
    tags: ["internal"],
    responses: {
      200: { description: "The update was handled (or was a duplicate)", schema: webhookResponseSchema },
      400: { description: "The body is not JSON", schema: problemSchema, contentType: PROBLEM_CONTENT_TYPE },
      401: {
        description: "Webhooks are on, and the webhook secret is missing or wrong",
        schema: problemSchema,
        contentType: PROBLEM_CONTENT_TYPE,
      },
      404: {
        description: "Telegram webhooks are not enabled here (checked before the secret)",
        schema: problemSchema,
        contentType: PROBLEM_CONTENT_TYPE,
      },
      503: {
        description:
          "The update is being handled by another delivery, or the database is unreachable: Telegram delivers it again (Retry-After)",
        schema: problemSchema,
        contentType: PROBLEM_CONTENT_TYPE,
      },
    },
  },
];

type ResponseObject = {
  description: string;
  headers?: Record<string, { description: string; schema: { type: "string" } }>;
  content: Record<string, { schema?: { $ref: string } }>;
};
type OperationObject = {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  security?: Array<Record<string, string[]>>;
  parameters?: Array<{ name: string; in: string; description: string; required: boolean; schema: { type: "string" } }>;
  requestBody?: { required: boolean; content: { "application/json": { schema: { $ref: string } } } };
  responses: Record<string, ResponseObject>;
};

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });

function componentSchemas(): Record<string, object> {
  const generated = z.toJSONSchema(schemas, { uri: (id) => `#/components/schemas/${id}` }).schemas;
  // OpenAPI 3.1 declares the dialect once (jsonSchemaDialect); per-schema $schema/$id only confuse tools.
  return Object.fromEntries(
    Object.entries(generated).map(([id, schema]) => {
      const { $schema: _dialect, $id: _id, ...rest } = schema as Record<string, unknown>;
      return [id, rest as object];
    }),
  );
}

function responseObject(reply: Reply): ResponseObject {
  if (!reply.schema) return { description: reply.description, content: { [reply.contentType!]: {} } };
  const id = schemas.get(reply.schema)?.id;
  if (!id) throw new Error(`Register the schema for "${reply.description}" in openapi.server.ts`);
  return {
    description: reply.description,
    content: { [reply.contentType ?? "application/json"]: { schema: ref(id) } },
  };
}

const problemContent = () => ({ [PROBLEM_CONTENT_TYPE]: { schema: ref("Problem") } });
const textHeader = (description: string) => ({ description, schema: { type: "string" as const } });
// Health probes are never rate-limited (app/http/rate-limit.server.ts, EXEMPT).
const UNLIMITED = /^\/api\/v1\/health(\/|$)/;

/**
 * 405 (another method on this address: app/http/body-guard.server.ts), 403 for a POST from another
 * site's page (same-origin.server.ts), and 429 from the read or write rate limit (rate-limit.server.ts).
 * An operation's own entry for a status (sendMessage's 429) is kept.
 */
function commonResponses(operation: Operation): Record<string, ResponseObject> {
  const common: Record<string, ResponseObject> = {
    405: {
      description:
        "Another method than this address takes, e.g. PUT, PATCH or DELETE (method_not_allowed); `Allow` lists those it takes",
      headers: { Allow: textHeader("The methods this address takes, e.g. `GET, HEAD`") },
      content: problemContent(),
    },
  };
  if (operation.method === "post") {
    common["403"] = {
      description:
        "Sent from another site's page: an `Origin` (or `Sec-Fetch-Site: cross-site`) not of this site (cross_site)",
      content: problemContent(),
    };
  }
  if (!UNLIMITED.test(operation.path)) {
    common["429"] = {
      description: "Too many requests from this person or address in a minute (rate_limited)",
      headers: { "Retry-After": textHeader("Seconds to wait before trying again") },
      content: problemContent(),
    };
  }
  return common;
}

type OpenApiDocument = ReturnType<typeof buildDocument>;

function buildDocument() {
  const paths: Record<string, Record<string, OperationObject>> = {};
  for (const operation of operations) {
    // Answers the HTTP layer gives before the endpoint runs (app/http), for any operation of its kind.
    const responses: Record<string, ResponseObject> = commonResponses(operation);
    for (const [status, reply] of Object.entries(operation.responses)) responses[status] = responseObject(reply);
    // Every POST passes the body guard first (app/http/body-guard.server.ts), whatever the endpoint.
    if (operation.method === "post") {
      responses["413"] = {
        description: "The body is larger than BODY_LIMIT_BYTES (payload_too_large); it is not read",
        content: { [PROBLEM_CONTENT_TYPE]: { schema: ref("Problem") } },
      };
      responses["415"] = {
        description:
          "The body is not JSON: its Content-Type is neither application/json nor an application/*+json type, or cannot be read (unsupported_media_type); or it declares a charset other than UTF-8 (unsupported_charset); or it is compressed, with a Content-Encoding other than identity (unsupported_content_encoding), then `Accept-Encoding` says what is read",
        headers: {
          "Accept-Encoding": textHeader(
            "With unsupported_content_encoding: `identity`, the only coding a request body is read in (RFC 9110 §12.5.3)",
          ),
        },
        content: { [PROBLEM_CONTENT_TYPE]: { schema: ref("Problem") } },
      };
    }
    if (operation.internal || operation.session) {
      responses["401"] = {
        description: operation.internal ? "Missing or wrong internal API key" : "Not signed in",
        content: { [PROBLEM_CONTENT_TYPE]: { schema: ref("Problem") } },
      };
    }
    const bodyId = operation.requestBody ? schemas.get(operation.requestBody)?.id : undefined;
    if (operation.requestBody && !bodyId) throw new Error(`Register the request schema of ${operation.operationId}`);
    paths[operation.path] = {
      ...paths[operation.path],
      [operation.method]: {
        operationId: operation.operationId,
        summary: operation.summary,
        ...(operation.description ? { description: operation.description } : {}),
        tags: operation.tags,
        ...(operation.internal ? { security: [{ internalApiKey: [] }] } : {}),
        ...(operation.session ? { security: [{ sessionCookie: [] }] } : {}),
        ...(operation.parameters
          ? {
              parameters: operation.parameters.map((parameter) => ({
                ...parameter,
                required: parameter.required ?? false,
                schema: { type: "string" as const },
              })),
            }
          : {}),
        ...(bodyId
          ? {
              requestBody: {
                required: operation.requestBodyRequired ?? true,
                content: { "application/json": { schema: ref(bodyId) } },
              },
            }
          : {}),
        responses,
      },
    };
  }
  return {
    openapi: "3.1.0",
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    info: {
      title: "ARES API",
      version: `1 (ARES ${packageJson.version})`,
      description:
        "Version 1 of ARES's HTTP API. Errors are application/problem+json with a stable `code`. " +
        "Breaking changes get a new /api/vN; see docs/api-versioning.md.",
    },
    servers: [{ url: "/" }],
    paths,
    components: {
      schemas: componentSchemas(),
      securitySchemes: {
        sessionCookie: {
          type: "apiKey",
          in: "cookie",
          name: "__ares_session",
          description: "The signed-in browser session (sign in at /login)",
        },
        internalApiKey: {
          type: "http",
          scheme: "bearer",
          description: "Service-to-service calls: Authorization: Bearer <INTERNAL_API_KEY>",
        },
      },
    },
  };
}

let cached: OpenApiDocument | undefined;

export function openApiDocument(): OpenApiDocument {
  cached ??= buildDocument();
  return cached;
}
