import { getFormProps, getInputProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { OneTimeNotice } from "~/components/one-time-notice";
import { redirectWithNotice, takeNotice } from "~/http/notice.server";
import { requireAdmin } from "~/auth/guards.server";
import { decimalInputProps, Field, FormErrors, sentValue, wholeNumberInputProps } from "~/components/forms";
import { MemoryNotFoundError } from "~/memory/memories.server";
import { SELF_CATEGORIES, instanceSettingsSchema, selfMemoryIntent } from "~/memory/schemas";
import { deleteSelfMemory, listSelfMemory, saveSelfMemory } from "~/memory/self-memory.server";
import { instanceSettings, saveInstanceSettings } from "~/memory/settings.server";
import memoryStylesheet from "~/styles/memory.css?url";
import { formConstraint } from "~/validation/constraints";
import { withPlainNumbers } from "~/validation/number";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: memoryStylesheet }];
export const meta: MetaFunction = () => [{ title: "Assistant · Admin · ARES" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request, context);
  const [entries, settings] = await Promise.all([listSelfMemory(), instanceSettings()]);
  const { notice, headers } = await takeNotice(request, admin.id, { saved: "Saved." });
  const page = {
    notice,
    entries: entries.map(({ id, category, key, value, importance }) => ({ id, category, key, value, importance })),
    settings,
  };
  return data(page, { headers });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const admin = await requireAdmin(request, context);
  const submission = parseWithZod(await request.formData(), {
    schema: withPlainNumbers(selfMemoryIntent),
    disableAutoCoercion: true,
  });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  const intent = submission.value;
  try {
    switch (intent.intent) {
      case "save":
        await saveSelfMemory(intent);
        return redirectWithNotice("/admin/assistant", "saved", admin.id);
      case "delete":
        await deleteSelfMemory(intent.id);
        return redirectWithNotice("/admin/assistant", "saved", admin.id);
      case "instance": {
        const { intent: _intent, ...settings } = intent;
        await saveInstanceSettings({ ...settings, memoryEnabled: settings.memoryEnabled ?? false });
        return redirectWithNotice("/admin/assistant", "saved", admin.id);
      }
    }
  } catch (error) {
    if (error instanceof MemoryNotFoundError) throw new Response("Not found", { status: 404 });
    throw error;
  }
}

export default function AdminAssistant() {
  const { notice, entries, settings } = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  // A refused settings save comes back with what was typed and each message next to its field (without JS
  // the page is new); the self-memory forms keep theirs at the top.
  const sentInstance = lastResult?.initialValue?.intent === "instance";
  const [form, fields] = useForm({
    id: "instance-settings",
    lastResult: sentInstance ? lastResult : undefined,
    defaultValue: {
      memoryEnabled: settings.memoryEnabled ? "on" : "",
      relevantSummaries: String(settings.relevantSummaries),
      extractionInputTokens: String(settings.extractionInputTokens),
      summaryIdleMinutes: String(settings.summaryIdleMinutes),
      autoAcceptMinConfidence: String(settings.autoAcceptMinConfidence),
      autoAcceptMinImportance: String(settings.autoAcceptMinImportance),
    },
    constraint: formConstraint(instanceSettingsSchema),
    shouldValidate: "onSubmit",
    shouldRevalidate: "onSubmit",
  });
  const isEntry = (category: unknown, key: unknown) =>
    entries.some((entry) => entry.category === category && entry.key === key);
  const added = (field: string) =>
    isEntry(lastResult?.initialValue?.category, lastResult?.initialValue?.key)
      ? undefined
      : sentValue(lastResult, { intent: "save" }, field);
  const errors =
    lastResult?.error && !sentInstance
      ? Object.values(lastResult.error)
          .flat()
          .filter((e): e is string => !!e)
      : [];
  return (
    <section className="card">
      <h2>Assistant</h2>
      <OneTimeNotice notice={notice} hidden={Boolean(lastResult)} />
      <FormErrors errors={errors} />
      <h3>Memory for this instance</h3>
      <Form method="post" className="memory-form" {...getFormProps(form)}>
        <FormErrors errors={form.errors} id={form.errorId} />
        <input type="hidden" name="intent" value="instance" />
        <label>
          <span>
            <input {...getInputProps(fields.memoryEnabled, { type: "checkbox", value: "on" })} /> Memory on for everyone
          </span>
        </label>
        <Field
          label="Summaries per prompt (K)"
          id={fields.relevantSummaries.id}
          errors={fields.relevantSummaries.errors}
          hint="0 to 20."
        >
          <input {...wholeNumberInputProps(fields.relevantSummaries)} />
        </Field>
        <Field
          label="Extraction input cap (tokens)"
          id={fields.extractionInputTokens.id}
          errors={fields.extractionInputTokens.errors}
          hint="200 to 100000."
        >
          <input {...wholeNumberInputProps(fields.extractionInputTokens)} />
        </Field>
        <Field
          label="Summarise after idle (minutes)"
          id={fields.summaryIdleMinutes.id}
          errors={fields.summaryIdleMinutes.errors}
          hint="1 to 10080 (a week)."
        >
          <input {...wholeNumberInputProps(fields.summaryIdleMinutes)} />
        </Field>
        <Field
          label="Auto-accept: minimum confidence (0–1)"
          id={fields.autoAcceptMinConfidence.id}
          errors={fields.autoAcceptMinConfidence.errors}
        >
          <input {...decimalInputProps(fields.autoAcceptMinConfidence)} />
        </Field>
        <Field
          label="Auto-accept: minimum importance"
          id={fields.autoAcceptMinImportance.id}
          errors={fields.autoAcceptMinImportance.errors}
          hint="1 to 10."
        >
          <input {...wholeNumberInputProps(fields.autoAcceptMinImportance)} />
        </Field>
        <button type="submit">Save memory settings</button>
      </Form>

      <h3>Self-memory</h3>
      <p className="muted">What ARES knows about itself; sent in every prompt, most important first.</p>
      <ul className="memory-list">
        {entries.map((entry) => (
          <li key={entry.id} className="memory-item" data-testid="self-memory">
            <Form method="post" className="memory-form">
              <input type="hidden" name="intent" value="save" />
              <input type="hidden" name="category" value={entry.category} />
              <input type="hidden" name="key" value={entry.key} />
              <strong>
                {entry.category} · {entry.key}
              </strong>
              <label>
                Value{" "}
                <input
                  name="value"
                  defaultValue={
                    sentValue(lastResult, { intent: "save", category: entry.category, key: entry.key }, "value") ??
                    entry.value
                  }
                  required
                  maxLength={1000}
                />
              </label>
              <label>
                Importance (1 to 10){" "}
                <input
                  name="importance"
                  // Text with the number keypad, as the settings above: a number field sent "1,5" as "".
                  type="text"
                  inputMode="numeric"
                  defaultValue={
                    sentValue(lastResult, { intent: "save", category: entry.category, key: entry.key }, "importance") ??
                    entry.importance
                  }
                />
              </label>
              <button type="submit" className="small">
                Save
              </button>
            </Form>
            <Form method="post">
              <input type="hidden" name="intent" value="delete" />
              <input type="hidden" name="id" value={entry.id} />
              <button type="submit" className="secondary small">
                Delete
              </button>
            </Form>
          </li>
        ))}
      </ul>
      <Form method="post" className="memory-form" aria-label="Add to self-memory">
        <input type="hidden" name="intent" value="save" />
        <label>
          Category
          <select name="category" defaultValue={added("category") ?? "identity"}>
            {SELF_CATEGORIES.map((category) => (
              <option key={category} value={category}>
                {category}
              </option>
            ))}
          </select>
        </label>
        <label>
          Key <input name="key" defaultValue={added("key")} required maxLength={80} placeholder="name" />
        </label>
        <label>
          Value <input name="value" defaultValue={added("value")} required maxLength={1000} placeholder="ARES" />
        </label>
        <label>
          Importance (1 to 10){" "}
          <input name="importance" type="text" inputMode="numeric" defaultValue={added("importance") ?? 5} />
        </label>
        <button type="submit">Add</button>
      </Form>
    </section>
  );
}
