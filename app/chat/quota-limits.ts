/**
 * The largest daily token budget an admin may set per person: far below SQL int's limit, where a
 * budget means nothing any more (0 is "no limit").
 */
export const MAX_QUOTA_LIMIT = 999_999_999;

/**
 * The largest CHAT_DAILY_TOKEN_BUDGET and CHAT_MESSAGES_PER_MINUTE: the quota casts them to SQL int,
 * which stops at 2,147,483,647. Higher than the admin form's maximum because such values started before
 * (2,000,000,000 as "effectively unlimited"), and an upgrade must not refuse to start on them.
 */
export const MAX_ENV_QUOTA_LIMIT = 2_147_483_647;
