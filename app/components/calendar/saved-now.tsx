import type { FormDefaults } from "~/calendar/form-values";

/**
 * The event as it is stored now, beside a form loaded from an older version of it (an edit keeps what
 * was typed under it; a delete asks again with it in view).
 */
export function SavedNow({ defaults }: { defaults: FormDefaults }) {
  const when = defaults.allDay
    ? `${defaults.startDate} – ${defaults.endDate}, all day`
    : `${defaults.startDate} ${defaults.startTime} – ${defaults.endDate} ${defaults.endTime} (${defaults.timeZone})`;
  return (
    <div className="card saved-now">
      <p>Saved now:</p>
      <dl>
        <dt>Title</dt>
        <dd>{defaults.title}</dd>
        <dt>When</dt>
        <dd>{when}</dd>
        {defaults.location ? (
          <>
            <dt>Location</dt>
            <dd>{defaults.location}</dd>
          </>
        ) : null}
      </dl>
    </div>
  );
}
