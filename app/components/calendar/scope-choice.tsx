import { Link } from "@remix-run/react";
import { type Scope, SCOPES } from "~/calendar/schemas";

const LABELS: Record<Scope, string> = {
  this: "This event",
  following: "This and following events",
  all: "All events",
};

/**
 * "This event / this and following / all events" for an occurrence of a repeating event. With the whole
 * series as the only choice (the series page once its first date was cancelled: there is no "this" one
 * there; or once it was changed on its own: that date is changed from its own page, `changedFirst`)
 * it is said in words, not offered as a choice of one.
 */
export function ScopeChoice({
  verb,
  defaultScope,
  scopes = SCOPES,
  changedFirst = null,
  seriesHref = null,
}: {
  verb: "Change" | "Delete";
  defaultScope: Scope;
  scopes?: readonly Scope[];
  changedFirst?: { href: string; day: string } | null;
  /** The series' own form, where a form that can only act on one changed date sends the rest. */
  seriesHref?: string | null;
}) {
  if (scopes.length === 1 && scopes[0] === "this" && seriesHref) {
    return (
      <p className="scope-choices card">
        <input type="hidden" name="scope" value="this" />
        {`${verb}s only this date, which was changed on its own before. `}
        <Link to={seriesHref}>{`${verb} the whole repeating event instead`}</Link>
      </p>
    );
  }
  if (scopes.length === 1 && scopes[0] === "all" && changedFirst) {
    return (
      <p className="scope-choices card">
        <input type="hidden" name="scope" value="all" />
        {`${verb}s all events of this repeating event. Its first date, ${changedFirst.day}, was changed on its own: `}
        <Link to={changedFirst.href}>{`${verb} only ${changedFirst.day}`}</Link>
      </p>
    );
  }
  if (scopes.length === 1 && scopes[0] === "all") {
    return (
      <p className="scope-choices card">
        <input type="hidden" name="scope" value="all" />
        {`${verb}s all events of this repeating event (its first date was cancelled).`}
      </p>
    );
  }
  return (
    <fieldset className="scope-choices card">
      <legend>{verb} which events of this repeating event?</legend>
      {scopes.map((scope) => (
        <label key={scope}>
          <input type="radio" name="scope" value={scope} defaultChecked={scope === defaultScope} /> {LABELS[scope]}
        </label>
      ))}
    </fieldset>
  );
}
