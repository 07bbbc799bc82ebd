import { refusedFormReply, retryAfterHeaders } from "~/http/write-limit.server";
import { getFormProps, getTextareaProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { formConstraint } from "~/validation/constraints";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { OneTimeNotice } from "~/components/one-time-notice";
import { redirectWithNotice, takeNotice } from "~/http/notice.server";
import { takeTypedForm } from "~/http/unsaved-form.server";
import { requireUser } from "~/auth/guards.server";
import { DEFAULT_SYSTEM_PROMPT } from "~/chat/prompt.server";
import { chatPreferencesSchema } from "~/chat/schemas";
import { checkModelChoice, getChatPreferences, MODEL_NOT_OFFERED, saveChatPreferences } from "~/chat/settings.server";
import { ModelOptions } from "~/components/chat/model-options";
import { decimalInputProps, Field, FormErrors, SubmitButton, wholeNumberInputProps } from "~/components/forms";
import { defaultModel, listModels, primaryProvider } from "~/llm/router.server";
import { memorySettingsSchema } from "~/memory/schemas";
import { instanceSettings, personMemorySettings, savePersonMemorySettings } from "~/memory/settings.server";
import { withPlainNumbers } from "~/validation/number";

export const meta: MetaFunction = () => [{ title: "Assistant · Settings · ARES" }];

export { retryAfterHeaders as headers };

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const [preferences, openrouter, ollama, memory, instance] = await Promise.all([
    getChatPreferences(user.id),
    listModels("openrouter"),
    listModels("ollama"),
    personMemorySettings(user.id),
    instanceSettings(),
  ]);
  const provider = primaryProvider();
  const { notice, headers } = await takeNotice(request, user.id, {
    prompt: "The system prompt is back to the default.",
    memory: "Your memory settings have been saved.",
    chat: "Your chat settings have been saved.",
  });
  // A prompt saved after the session ended, with the rest of its form, kept through signing in again
  // (http/unsaved-form.server.ts).
  const typed = await takeTypedForm(request, user.id);
  const kept = (name: string) => typed.fields?.[name] ?? null;
  for (const cookie of typed.headers.getSetCookie()) headers.append("Set-Cookie", cookie);
  const page = {
    notice,
    preferences,
    kept: typed.fields
      ? {
          systemPrompt: kept("systemPrompt"),
          model: kept("model"),
          temperature: kept("temperature"),
          topP: kept("topP"),
          maxTokens: kept("maxTokens"),
        }
      : null,
    memory,
    instance: {
      memoryEnabled: instance.memoryEnabled,
      autoAcceptMinConfidence: instance.autoAcceptMinConfidence,
      autoAcceptMinImportance: instance.autoAcceptMinImportance,
    },
    defaultSystemPrompt: DEFAULT_SYSTEM_PROMPT,
    serverDefault: `${provider === "openrouter" ? "OpenRouter" : "Ollama"} · ${defaultModel(provider)}`,
    models: { openrouter: openrouter.map((model) => model.id), ollama: ollama.map((model) => model.id) },
  };
  return data(page, { headers });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  const formData = await request.formData();
  if (formData.get("intent") === "memory") {
    const memory = parseWithZod(formData, { schema: memorySettingsSchema });
    const refused = refusedFormReply(context, (options) => memory.reply(options));
    if (refused) return refused;
    if (memory.status !== "success") return data(memory.reply(), { status: 400 });
    await savePersonMemorySettings(user.id, {
      memoryEnabled: memory.value.memoryEnabled ?? false,
      memoryAutoAccept: memory.value.memoryAutoAccept ?? false,
    });
    return redirectWithNotice("/settings/assistant", "memory", user.id);
  }
  const submission = parseWithZod(formData, {
    schema: withPlainNumbers(chatPreferencesSchema),
    disableAutoCoercion: true,
  });
  // Refused before it got here (a NUL in it, or a rate limit): the page, with the form as sent and why.
  const refused = refusedFormReply(context, (options) => submission.reply(options));
  if (refused) return refused;
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  const values = submission.value;
  if (values.intent === "reset-prompt") {
    await saveChatPreferences(user.id, { systemPrompt: null });
    return redirectWithNotice("/settings/assistant", "prompt", user.id);
  }
  const checked = await checkModelChoice(values.model ?? "", await getChatPreferences(user.id));
  if (!checked.offered) return data(submission.reply({ fieldErrors: { model: [MODEL_NOT_OFFERED] } }), { status: 400 });
  const { choice } = checked;
  await saveChatPreferences(user.id, {
    provider: choice?.provider ?? null,
    model: choice?.model ?? null,
    systemPrompt: values.systemPrompt?.trim() ? values.systemPrompt.trim() : null,
    temperature: values.temperature ?? null,
    topP: values.topP ?? null,
    maxTokens: values.maxTokens ?? null,
  });
  return redirectWithNotice("/settings/assistant", "chat", user.id);
}

export default function ChatSettings() {
  const { notice, preferences, kept, memory, instance, defaultSystemPrompt, serverDefault, models } =
    useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const navigation = useNavigation();
  const stored = preferences.provider && preferences.model ? `${preferences.provider}:${preferences.model}` : "";
  const current = kept?.model ?? stored;
  const [form, fields] = useForm({
    id: "chat-settings",
    lastResult,
    defaultValue: {
      model: current,
      systemPrompt: kept?.systemPrompt ?? preferences.systemPrompt ?? defaultSystemPrompt,
      temperature: kept?.temperature ?? preferences.temperature?.toString() ?? "",
      topP: kept?.topP ?? preferences.topP?.toString() ?? "",
      maxTokens: kept?.maxTokens ?? preferences.maxTokens?.toString() ?? "",
    },
    constraint: formConstraint(chatPreferencesSchema),
    shouldValidate: "onSubmit",
    shouldRevalidate: "onSubmit",
    onValidate: ({ formData }) =>
      parseWithZod(formData, { schema: withPlainNumbers(chatPreferencesSchema), disableAutoCoercion: true }),
  });

  return (
    <section className="card">
      <h2>Assistant</h2>
      <OneTimeNotice notice={notice} hidden={Boolean(lastResult)} />
      <Form method="post" {...getFormProps(form)}>
        <FormErrors errors={form.errors} id={form.errorId} />
        <Field
          label="Default model"
          id={fields.model.id}
          errors={fields.model.errors}
          hint="New conversations use it; each conversation can pick another."
        >
          <select id={fields.model.id} name={fields.model.name} defaultValue={current}>
            <ModelOptions models={models} value={current} defaultLabel={`server default: ${serverDefault}`} />
          </select>
        </Field>
        <Field
          label="System prompt"
          id={fields.systemPrompt.id}
          errors={fields.systemPrompt.errors}
          hint="Sent first in every conversation."
        >
          <textarea {...getTextareaProps(fields.systemPrompt)} rows={6} />
        </Field>
        <Field
          label="Temperature (0–2)"
          id={fields.temperature.id}
          errors={fields.temperature.errors}
          hint="Empty = the model's default."
        >
          <input {...decimalInputProps(fields.temperature)} />
        </Field>
        <Field label="Top-p (0–1)" id={fields.topP.id} errors={fields.topP.errors} hint="Empty = the model's default.">
          <input {...decimalInputProps(fields.topP)} />
        </Field>
        <Field
          label="Maximum reply length (tokens)"
          id={fields.maxTokens.id}
          errors={fields.maxTokens.errors}
          hint="16 to 200000. Empty = 1024 kept free for the reply."
        >
          <input {...wholeNumberInputProps(fields.maxTokens)} />
        </Field>
        <input type="hidden" name="intent" value="save" />
        <SubmitButton pending={navigation.state === "submitting"}>Save chat settings</SubmitButton>
      </Form>
      <Form method="post" className="alt-login">
        <input type="hidden" name="intent" value="reset-prompt" />
        <button type="submit" className="secondary small">
          Reset the system prompt to the default
        </button>
      </Form>
      <h3 id="memory-settings">Memory</h3>
      {instance.memoryEnabled ? null : (
        <p className="notice" role="status">
          An administrator has switched memory off for this ARES: these settings apply once it is back on.
        </p>
      )}
      <Form method="post" aria-labelledby="memory-settings">
        <input type="hidden" name="intent" value="memory" />
        <div className="field">
          <label>
            <input type="checkbox" name="memoryEnabled" value="on" defaultChecked={memory.memoryEnabled} /> Use and
            learn memories in my conversations
          </label>
        </div>
        <div className="field">
          <label>
            <input type="checkbox" name="memoryAutoAccept" value="on" defaultChecked={memory.memoryAutoAccept} /> Accept
            suggestions without review when the model is at least {Math.round(instance.autoAcceptMinConfidence * 100)} %
            confident and rates them at least {instance.autoAcceptMinImportance}/10 important
          </label>
          <p className="field-hint">
            Off: every suggestion waits for you on the <a href="/memory">memory page</a>.
          </p>
        </div>
        <button type="submit">Save memory settings</button>
      </Form>
    </section>
  );
}
