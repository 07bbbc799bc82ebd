/**
 * The largest daily token budget, from an admin's override or CHAT_DAILY_TOKEN_BUDGET, and the largest
 * CHAT_MESSAGES_PER_MINUTE: the quota compares them as SQL int, which stops at 2,147,483,647, and far
 * below that a limit means nothing any more (0 is "no limit").
 */
export const MAX_QUOTA_LIMIT = 999_999_999;
