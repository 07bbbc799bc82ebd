import { z } from "zod";
import { conversationTitle, messageText } from "./schemas";

// The shapes of /api/v1/conversations*: they validate requests and generate the OpenAPI document.

export const conversationSchema = z.object({
  id: z.string(),
  title: z.string(),
  pinned: z.boolean(),
  lastMessageAt: z.string().describe("ISO 8601"),
});

export const conversationListSchema = z.object({
  conversations: z.array(conversationSchema),
  next: z.string().nullable().describe("Pass as ?after= for the next page; null on the last page"),
});

// Request bodies are strict: a field the endpoint does not take is refused (422 invalid_request naming
// it), as the OpenAPI document says (additionalProperties: false), not dropped without a word.
export const createConversationRequestSchema = z.strictObject({
  title: conversationTitle.optional(),
});

export const messageSchema = z.object({
  id: z.string(),
  role: z.enum(["user", "assistant", "system", "error"]),
  content: z.string(),
  status: z.enum(["streaming", "complete", "aborted", "error"]),
  provider: z.string().nullable(),
  model: z.string().nullable(),
  fallbackFrom: z.string().nullable(),
  promptTokens: z.number().int().nullable(),
  completionTokens: z.number().int().nullable(),
  cost: z.number().nullable(),
  latencyMs: z.number().int().nullable(),
  createdAt: z.string().describe("ISO 8601"),
});

export const messageListSchema = z.object({
  messages: z.array(messageSchema).describe("Oldest first"),
  earlier: z.string().nullable().describe("Pass as ?before= for the previous page; null at the start"),
});

export const sendMessageRequestSchema = z.strictObject({ content: messageText });

export const sendMessageResponseSchema = z.object({
  userMessageId: z.string(),
  assistantMessageId: z.string(),
  streamUrl: z.string().describe("GET it with Accept: text/event-stream to follow the reply"),
});
