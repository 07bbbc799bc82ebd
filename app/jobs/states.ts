/** The job states operators see, in display order; `completed` counts only the last 24 hours. */
export const QUEUE_STATES = ["created", "retry", "active", "failed", "completed"] as const;
export type QueueState = (typeof QUEUE_STATES)[number];
