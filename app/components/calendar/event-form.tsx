import {
  type SubmissionResult,
  getCollectionProps,
  getFormProps,
  getInputProps,
  getSelectProps,
  getTextareaProps,
  useForm,
} from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { Form, useNavigation } from "@remix-run/react";
import type { ReactNode } from "react";
import { WEEKDAYS } from "~/calendar/recurrence";
import type { FormDefaults } from "~/calendar/form-values";
import {
  type EventForm as EventFormShape,
  type EventInput,
  eventFieldsSchema,
  eventFormSchema,
} from "~/calendar/schemas";
import { Field, FormErrors, SubmitButton } from "~/components/forms";
import { formConstraint } from "~/validation/constraints";
import { withPlainNumbers } from "~/validation/number";

const WEEKDAY_NAMES: Record<(typeof WEEKDAYS)[number], string> = {
  MO: "Mon",
  TU: "Tue",
  WE: "Wed",
  TH: "Thu",
  FR: "Fri",
  SA: "Sat",
  SU: "Sun",
};

const REPEAT_CHOICES = [
  ["none", "Does not repeat"],
  ["DAILY", "Daily"],
  ["WEEKLY", "Weekly"],
  ["MONTHLY", "Monthly"],
  ["YEARLY", "Yearly"],
] as const;

type Props = {
  id: string;
  defaultValue: FormDefaults;
  lastResult: SubmissionResult<string[]> | null | undefined;
  timeZones: string[];
  submitLabel: string;
  /** Where the form posts, when not to its own page (an edit of a deleted event creates a new one). */
  action?: string;
  /** Extra fields (which occurrences an edit applies to, hidden occurrence id). */
  children?: ReactNode;
};

/**
 * The event form: every field works without JS. With JS it checks on submit like every other form: a
 * message that appears or vanishes on blur would move the buttons under the pointer mid-click.
 */
export function EventForm({ id, defaultValue, lastResult, timeZones, submitLabel, action, children }: Props) {
  const navigation = useNavigation();
  const [form, fields] = useForm<EventFormShape, EventInput>({
    id,
    lastResult,
    defaultValue,
    constraint: formConstraint(eventFieldsSchema),
    shouldValidate: "onSubmit",
    shouldRevalidate: "onSubmit",
    onValidate: ({ formData }) =>
      parseWithZod(formData, { schema: withPlainNumbers(eventFormSchema), disableAutoCoercion: true }),
  });
  return (
    <Form method="post" action={action} {...getFormProps(form)} className="event-form">
      <FormErrors errors={form.errors} id={form.errorId} />
      {children}
      <Field label="Title" id={fields.title.id} errors={fields.title.errors}>
        <input {...getInputProps(fields.title, { type: "text" })} dir="auto" />
      </Field>
      <div className="field checkbox">
        <input {...getInputProps(fields.allDay, { type: "checkbox" })} />
        <label htmlFor={fields.allDay.id}>All day</label>
      </div>
      <div className="field-row">
        <Field label="Start date" id={fields.startDate.id} errors={fields.startDate.errors}>
          <input {...getInputProps(fields.startDate, { type: "date" })} />
        </Field>
        <Field
          label="Start time"
          id={fields.startTime.id}
          errors={fields.startTime.errors}
          hint="Not needed for all-day events."
        >
          <input {...getInputProps(fields.startTime, { type: "time" })} />
        </Field>
      </div>
      <div className="field-row">
        <Field label="End date" id={fields.endDate.id} errors={fields.endDate.errors}>
          <input {...getInputProps(fields.endDate, { type: "date" })} />
        </Field>
        <Field label="End time" id={fields.endTime.id} errors={fields.endTime.errors}>
          <input {...getInputProps(fields.endTime, { type: "time" })} />
        </Field>
      </div>
      <Field
        label="Time zone"
        id={fields.timeZone.id}
        errors={fields.timeZone.errors}
        hint="The event keeps its local time in this zone across daylight-saving changes."
      >
        <select {...getSelectProps(fields.timeZone)}>
          {timeZones.map((zone) => (
            <option key={zone} value={zone}>
              {zone.replaceAll("_", " ")}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Location" id={fields.location.id} errors={fields.location.errors}>
        <input {...getInputProps(fields.location, { type: "text" })} dir="auto" />
      </Field>
      <Field label="Description" id={fields.description.id} errors={fields.description.errors}>
        <textarea {...getTextareaProps(fields.description)} rows={3} dir="auto" />
      </Field>
      <fieldset className="card">
        <legend>Repeat</legend>
        <div className="field-row">
          <Field label="Repeats" id={fields.repeat.id} errors={fields.repeat.errors}>
            <select {...getSelectProps(fields.repeat)}>
              {REPEAT_CHOICES.map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </Field>
          <Field
            label="Every"
            id={fields.interval.id}
            errors={fields.interval.errors}
            hint="1 = every day/week/month/year, 2 = every other…"
          >
            <input {...getInputProps(fields.interval, { type: "number" })} min={1} max={999} />
          </Field>
        </div>
        <fieldset className="weekday-choices">
          <legend>Weekly on (default: the start&apos;s weekday)</legend>
          {getCollectionProps(fields.weekdays, { type: "checkbox", options: [...WEEKDAYS] }).map((props) => (
            <label key={props.key}>
              <input {...props} key={undefined} /> {WEEKDAY_NAMES[props.value as (typeof WEEKDAYS)[number]]}
            </label>
          ))}
        </fieldset>
        <Field label="Monthly on" id={fields.monthlyBy.id} errors={fields.monthlyBy.errors}>
          <select {...getSelectProps(fields.monthlyBy)}>
            <option value="date">the same date (e.g. the 14th)</option>
            <option value="weekday">the same weekday (e.g. the 2nd Tuesday)</option>
          </select>
        </Field>
        <div className="field-row">
          <Field label="Ends" id={fields.ends.id} errors={fields.ends.errors}>
            <select {...getSelectProps(fields.ends)}>
              <option value="never">Never</option>
              <option value="until">On a date</option>
              <option value="count">After a number of times</option>
            </select>
          </Field>
          <Field label="Last date" id={fields.until.id} errors={fields.until.errors}>
            <input {...getInputProps(fields.until, { type: "date" })} />
          </Field>
          <Field label="Times" id={fields.count.id} errors={fields.count.errors}>
            <input {...getInputProps(fields.count, { type: "number" })} min={1} max={1000} />
          </Field>
        </div>
      </fieldset>
      <Field
        label="Reminders"
        id={fields.reminders.id}
        errors={fields.reminders.errors}
        hint="Minutes before the start, separated by commas, e.g. 10, 60."
      >
        <input {...getInputProps(fields.reminders, { type: "text" })} inputMode="numeric" />
      </Field>
      <SubmitButton pending={navigation.state === "submitting"}>{submitLabel}</SubmitButton>
    </Form>
  );
}
