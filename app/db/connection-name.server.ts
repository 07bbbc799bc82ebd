/**
 * How a serving ARES's connections appear in pg_stat_activity.application_name (db:restore refuses
 * while any exist). PGAPPNAME, libpq's own variable, renames them — for tools and tests that are not
 * a serving ARES.
 */
export const APPLICATION_NAME = "ares";

export function connectionName(): string {
  return process.env.PGAPPNAME || APPLICATION_NAME;
}
