import type { Scope } from "~/calendar/schemas";

const LABELS: Record<Scope, string> = {
  this: "This event",
  following: "This and following events",
  all: "All events",
};

/** "This event / this and following / all events" for an occurrence of a repeating event. */
export function ScopeChoice({ verb, defaultScope }: { verb: string; defaultScope: Scope }) {
  return (
    <fieldset className="scope-choices card">
      <legend>{verb} which events of this repeating event?</legend>
      {(Object.keys(LABELS) as Scope[]).map((scope) => (
        <label key={scope}>
          <input type="radio" name="scope" value={scope} defaultChecked={scope === defaultScope} /> {LABELS[scope]}
        </label>
      ))}
    </fieldset>
  );
}
