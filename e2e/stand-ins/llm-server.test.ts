import OpenAI, { APIConnectionTimeoutError, APIError } from "openai";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { EXTRACTION_MARKER, parseMarkers, startStubLlm, stubReplyFor, tokenize, type StubLlm } from "./llm-server";

let stub: StubLlm;
let client: OpenAI;

beforeAll(async () => {
  stub = await startStubLlm();
  client = new OpenAI({ baseURL: `${stub.url}/v1`, apiKey: "x", maxRetries: 0 });
});

afterEach(() => stub.reset());

afterAll(async () => {
  await stub.close();
});

const user = (content: string): OpenAI.Chat.ChatCompletionMessageParam[] => [
  { role: "system", content: "You are a test." },
  { role: "user", content },
];

/** Error thrown by `run`, so assertions can inspect the SDK's error object. */
async function caught(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to throw");
}

async function readNdjson(response: Response): Promise<unknown[]> {
  const text = await response.text();
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as unknown);
}

function chatRequests(): number {
  return stub.requests.filter((request) => request.path === "/v1/chat/completions").length;
}

describe("OpenAI-compatible API through the openai SDK", () => {
  it("answers a non-streaming completion deterministically, echoing the model and reporting usage and cost", async () => {
    const completion = await client.chat.completions.create({ model: "stub/large", messages: user("Hello there") });

    expect(completion.object).toBe("chat.completion");
    expect(completion.model).toBe("stub/large");
    expect(completion.choices[0]?.message).toMatchObject({ role: "assistant", content: stubReplyFor("Hello there") });
    expect(completion.choices[0]?.finish_reason).toBe("stop");
    const completionTokens = tokenize(stubReplyFor("Hello there")).length;
    // Prompt tokens are the words of every message: "You are a test." + "Hello there".
    const usage: unknown = completion.usage;
    expect(usage).toEqual({
      prompt_tokens: 6,
      completion_tokens: completionTokens,
      total_tokens: 6 + completionTokens,
      cost: expect.closeTo((6 + completionTokens) * 0.000001, 12),
    });
  });

  it("gives the same reply for the same last user message regardless of history", async () => {
    const first = await client.chat.completions.create({ model: "stub/small", messages: user("same") });
    const second = await client.chat.completions.create({
      model: "stub/small",
      messages: [
        { role: "user", content: "something earlier" },
        { role: "assistant", content: "earlier reply" },
        { role: "user", content: [{ type: "text", text: "same" }] },
      ],
    });
    expect(second.choices[0]?.message.content).toBe(first.choices[0]?.message.content);
  });

  it("streams many chunks that join to the reply, then usage when include_usage is set", async () => {
    const stream = await client.chat.completions.create({
      model: "stub/small",
      messages: user("Stream this please"),
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.Chat.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);

    const expected = stubReplyFor("Stream this please");
    const contentChunks = chunks.filter((chunk) => chunk.choices[0]?.delta.content);
    expect(contentChunks.length).toBeGreaterThan(3);
    expect(contentChunks.length).toBe(tokenize(expected).length);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("")).toBe(expected);
    expect(chunks[0]?.object).toBe("chat.completion.chunk");
    expect(chunks[0]?.model).toBe("stub/small");
    expect(chunks[0]?.choices[0]?.delta.role).toBe("assistant");
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe("stop");

    const last = chunks.at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.usage).toMatchObject({
      completion_tokens: tokenize(expected).length,
      total_tokens: expect.any(Number),
    });
    const usage: unknown = last?.usage;
    expect(usage).toHaveProperty("cost", expect.any(Number));
  });

  it("omits the usage chunk when include_usage is not requested, and still ends with [DONE]", async () => {
    const response = await fetch(`${stub.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ model: "stub/small", messages: user("raw"), stream: true }),
    });
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const events = (await response.text()).split("\n\n").filter((event) => event !== "");
    expect(events.every((event) => event.startsWith("data: "))).toBe(true);
    expect(events.at(-1)).toBe("data: [DONE]");
    expect(events.some((event) => event.includes('"usage"'))).toBe(false);
  });

  it("spaces streamed tokens by tokenDelayMs", async () => {
    stub.configure({ tokenDelayMs: 15 });
    const started = Date.now();
    const stream = await client.chat.completions.create({ model: "stub/small", messages: user("hi"), stream: true });
    const arrivals: number[] = [];
    for await (const chunk of stream) if (chunk.choices[0]?.delta.content) arrivals.push(Date.now() - started);
    // n tokens ⇒ at least n - 1 gaps of 15 ms (timers never fire early).
    expect(arrivals.length).toBe(tokenize(stubReplyFor("hi")).length);
    expect(arrivals.at(-1)).toBeGreaterThanOrEqual(14 * (arrivals.length - 1));
  });

  it("truncates at max_tokens with finish_reason length", async () => {
    const completion = await client.chat.completions.create({
      model: "stub/small",
      messages: user("hi"),
      max_tokens: 2,
    });
    expect(completion.choices[0]?.message.content).toBe("You said: ");
    expect(completion.choices[0]?.finish_reason).toBe("length");
    expect(completion.usage?.completion_tokens).toBe(2);
  });

  it("usage says what it is told, for the counts and the cost only: another key is refused at configure()", async () => {
    stub.configure({ usage: { prompt_tokens: "12", completion_tokens: -1, cost: 1e308 } });
    const completion = await client.chat.completions.create({ model: "m", messages: user("hi") });
    expect(completion.usage).toMatchObject({ prompt_tokens: "12", completion_tokens: -1, cost: 1e308 });
    // A typo ("prompt_token") or a key the app does not read would have been sent as it was, and tested nothing.
    for (const key of ["prompt_token", "total_tokens", "completion_tokens_details"]) {
      expect(() => stub.configure({ usage: { [key]: 5 } as never })).toThrow(new RegExp(`"${key}"`));
    }
  });

  it("lists the configured models with context lengths", async () => {
    const page = await client.models.list();
    const models: unknown = page.data;
    expect(models).toEqual([
      { id: "stub/small", object: "model", created: expect.any(Number), owned_by: "stub", context_length: 4096 },
      { id: "stub/large", object: "model", created: expect.any(Number), owned_by: "stub", context_length: 32768 },
    ]);

    stub.configure({ models: [{ id: "other/model", contextLength: 128 }] });
    const changed = await client.models.list();
    expect(changed.data.map((model) => model.id)).toEqual(["other/model"]);
  });
});

describe("failures", () => {
  it.each([
    [500, "server_error"],
    [400, "invalid_request_error"],
    [401, "invalid_request_error"],
  ] as const)("fail=%s returns that status with an OpenAI-shaped error body", async (status, type) => {
    stub.configure({ fail: status });
    const error = await caught(() => client.chat.completions.create({ model: "stub/small", messages: user("x") }));
    expect(error).toBeInstanceOf(APIError);
    expect(error).toMatchObject({ status, type, error: { message: expect.any(String), type } });
  });

  it("fail=429 sends Retry-After", async () => {
    stub.configure({ fail: 429, retryAfterSeconds: 7 });
    const error = await caught(() => client.chat.completions.create({ model: "stub/small", messages: user("x") }));
    expect(error).toBeInstanceOf(APIError);
    if (!(error instanceof APIError)) return;
    expect(error.status).toBe(429);
    expect(error.headers?.get("retry-after")).toBe("7");
    expect(error.code).toBe("rate_limit_exceeded");
  });

  it("fail=hang never answers, so the SDK's timeout aborts the request", async () => {
    stub.configure({ fail: "hang" });
    const started = Date.now();
    const error = await caught(() =>
      client.chat.completions.create({ model: "stub/small", messages: user("x") }, { timeout: 150 }),
    );
    expect(error).toBeInstanceOf(APIConnectionTimeoutError);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(chatRequests()).toBe(1);
  });

  it("fail=drop sends a few tokens then cuts the connection, so the SDK iterator throws", async () => {
    stub.configure({ fail: "drop", dropAfterTokens: 3 });
    const stream = await client.chat.completions.create({ model: "stub/small", messages: user("x"), stream: true });
    const received: string[] = [];
    const error = await caught(async () => {
      for await (const chunk of stream) received.push(chunk.choices[0]?.delta.content ?? "");
    });
    expect(error).toBeInstanceOf(Error);
    expect(received.join("")).toBe(tokenize(stubReplyFor("x")).slice(0, 3).join(""));
    expect(received.filter((content) => content !== "")).toHaveLength(3);
  });

  it("fail=drop on a non-streaming request kills the connection", async () => {
    stub.configure({ fail: "drop" });
    const error = await caught(() => client.chat.completions.create({ model: "stub/small", messages: user("x") }));
    expect(error).toBeInstanceOf(APIError);
    expect(error).toHaveProperty("status", undefined); // connection error: no HTTP status
  });

  it("failTimes fails only the next N requests", async () => {
    stub.configure({ fail: 500, failTimes: 2 });
    const call = (): Promise<unknown> => client.chat.completions.create({ model: "stub/small", messages: user("x") });
    expect(await caught(call)).toMatchObject({ status: 500 });
    expect(await caught(call)).toMatchObject({ status: 500 });
    await expect(call()).resolves.toMatchObject({ object: "chat.completion" });
    await expect(call()).resolves.toMatchObject({ object: "chat.completion" });
  });

  it("failTimes lets the SDK's own retry succeed, honouring Retry-After", async () => {
    stub.configure({ fail: 429, failTimes: 1, retryAfterSeconds: 0 });
    const retrying = new OpenAI({ baseURL: `${stub.url}/v1`, apiKey: "x", maxRetries: 2 });
    const completion = await retrying.chat.completions.create({ model: "stub/small", messages: user("retry") });
    expect(completion.choices[0]?.message.content).toBe(stubReplyFor("retry"));
    expect(chatRequests()).toBe(2);
  });

  it("requireApiKey rejects a missing or wrong key with 401 and accepts the right one", async () => {
    stub.configure({ requireApiKey: "sk-stub" });
    const wrong = await caught(() => client.chat.completions.create({ model: "stub/small", messages: user("x") }));
    expect(wrong).toMatchObject({ status: 401, code: "invalid_api_key" });
    expect(stub.requests.at(-1)?.headers.authorization).toBe("Bearer x");

    const missing = await fetch(`${stub.url}/v1/models`);
    expect(missing.status).toBe(401);

    const right = new OpenAI({ baseURL: `${stub.url}/v1`, apiKey: "sk-stub", maxRetries: 0 });
    await expect(right.models.list()).resolves.toBeDefined();
  });

  it("close() ends hung requests instead of waiting for them", async () => {
    const own = await startStubLlm({ behaviour: { fail: "hang" } });
    const pending = fetch(`${own.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ model: "stub/small", messages: user("x") }),
    });
    while (own.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const started = Date.now();
    await own.close();
    expect(Date.now() - started).toBeLessThan(500);
    await expect(pending).rejects.toThrow();
  });
});

describe("per-request markers", () => {
  it("[[stub:fail=500]] and [[stub:fail=429,retry=5]] fail only that request", async () => {
    const failed = await caught(() =>
      client.chat.completions.create({ model: "stub/small", messages: user("boom [[stub:fail=500]]") }),
    );
    expect(failed).toMatchObject({ status: 500 });

    const limited = await caught(() =>
      client.chat.completions.create({ model: "stub/small", messages: user("[[stub:fail=429,retry=5]] slow down") }),
    );
    expect(limited).toBeInstanceOf(APIError);
    if (limited instanceof APIError) expect(limited.headers?.get("retry-after")).toBe("5");

    const fine = await client.chat.completions.create({ model: "stub/small", messages: user("fine") });
    expect(fine.choices[0]?.message.content).toBe(stubReplyFor("fine"));
  });

  it("[[stub:fail=drop,after=2]] drops a stream after two tokens", async () => {
    const stream = await client.chat.completions.create({
      model: "stub/small",
      messages: user("cut [[stub:fail=drop,after=2]]"),
      stream: true,
    });
    const received: string[] = [];
    await expect(async () => {
      for await (const chunk of stream) received.push(chunk.choices[0]?.delta.content ?? "");
    }).rejects.toThrow();
    expect(received.join("")).toBe("You said: ");
  });

  it("[[stub:fail=hang]] hangs just that request", async () => {
    const error = await caught(() =>
      client.chat.completions.create({ model: "stub/small", messages: user("[[stub:fail=hang]]") }, { timeout: 100 }),
    );
    expect(error).toBeInstanceOf(APIConnectionTimeoutError);
  });

  it("[[stub:delay=25]] slows one request and the marker is stripped from the echo", async () => {
    const started = Date.now();
    const completion = await client.chat.completions.create({
      model: "stub/small",
      messages: user("wait [[stub:delay=25]] for it"),
    });
    const expected = stubReplyFor("wait  for it");
    expect(completion.choices[0]?.message.content).toBe(expected);
    expect(Date.now() - started).toBeGreaterThanOrEqual(24 * (tokenize(expected).length - 1));
  });

  it("[[stub:fail=none]] overrides a configured failure without consuming failTimes", async () => {
    stub.configure({ fail: 500, failTimes: 1 });
    await expect(
      client.chat.completions.create({ model: "stub/small", messages: user("[[stub:fail=none]] ok") }),
    ).resolves.toBeDefined();
    expect(
      await caught(() => client.chat.completions.create({ model: "stub/small", messages: user("x") })),
    ).toMatchObject({ status: 500 });
  });

  it("[[reply:...]] replies with exactly the given text, markdown and HTML included", async () => {
    const payload = '**bold** <img src=x onerror="alert(1)"> [link](javascript:alert(2))\n\n- item';
    const completion = await client.chat.completions.create({
      model: "stub/small",
      messages: user(`Please [[reply:${payload}]]`),
    });
    expect(completion.choices[0]?.message.content).toBe(payload);

    const stream = await client.chat.completions.create({
      model: "stub/small",
      messages: user(`[[reply:${payload}]]`),
      stream: true,
    });
    let streamed = "";
    for await (const chunk of stream) streamed += chunk.choices[0]?.delta.content ?? "";
    expect(streamed).toBe(payload);
  });

  it("[[stub:...,only=<name>]] applies only on the stub with that name", async () => {
    const openrouter = await startStubLlm({ name: "openrouter" });
    const ollama = await startStubLlm({ name: "ollama" });
    try {
      expect(openrouter.name).toBe("openrouter");
      const clientOf = (target: StubLlm): OpenAI =>
        new OpenAI({ baseURL: `${target.url}/v1`, apiKey: "x", maxRetries: 0 });
      const message = user("hello [[stub:fail=500,only=openrouter]]");

      const failed = await caught(() =>
        clientOf(openrouter).chat.completions.create({ model: "stub/small", messages: message }),
      );
      expect(failed).toMatchObject({ status: 500 });
      const answered = await clientOf(ollama).chat.completions.create({ model: "stub/small", messages: message });
      // The ignored marker is still stripped, so both stubs would echo the same text.
      expect(answered.choices[0]?.message.content).toBe(stubReplyFor("hello"));
      // An unnamed stub is not any named one.
      const unnamed = await client.chat.completions.create({ model: "stub/small", messages: message });
      expect(unnamed.choices[0]?.message.content).toBe(stubReplyFor("hello"));
    } finally {
      await Promise.all([openrouter.close(), ollama.close()]);
    }
  });

  it("combines per-stub blocks, and parseMarkers takes the stub's name", () => {
    const message = "[[stub:fail=429,retry=4,only=openrouter]] hi [[stub:delay=5,only=ollama]]";
    const plain = { toolCalls: [], noTools: false };
    expect(parseMarkers(message, "openrouter")).toEqual({
      text: "hi",
      patch: { fail: 429, retryAfterSeconds: 4 },
      ...plain,
    });
    expect(parseMarkers(message, "ollama")).toEqual({ text: "hi", patch: { tokenDelayMs: 5 }, ...plain });
    expect(parseMarkers(message)).toEqual({ text: "hi", patch: {}, ...plain });
    expect(() => parseMarkers("[[stub:fail=500,only=]]", "ollama")).toThrow(/only/);
    // Keys are validated even where the block does not apply, so a typo never passes silently.
    expect(() => parseMarkers("[[stub:fial=500,only=openrouter]]", "ollama")).toThrow(/"fial"/);
  });

  it("rejects an unknown marker key with a 400 naming it", async () => {
    const error = await caught(() =>
      client.chat.completions.create({ model: "stub/small", messages: user("[[stub:fial=500]]") }),
    );
    expect(error).toMatchObject({ status: 400, message: expect.stringContaining('"fial"') });
  });
});

describe("memory extraction requests", () => {
  const extraction = (transcript: string): OpenAI.Chat.ChatCompletionMessageParam[] => [
    { role: "system", content: `${EXTRACTION_MARKER}\nAnswer with JSON.` },
    { role: "user", content: transcript },
  ];

  it("answers with extraction JSON derived from the person's lines of the transcript", async () => {
    const completion = await client.chat.completions.create({
      model: "stub/large",
      messages: extraction("#0 [user] my city is Oslo\n#1 [assistant] my name is Stub"),
    });
    const answer = JSON.parse(completion.choices[0]!.message.content!) as { candidates: unknown[] };
    expect(answer.candidates).toEqual([
      { type: "fact", kind: "personal", key: "city", value: "Oslo", confidence: 0.9, importance: 8, message: 0 },
    ]);
  });

  it("extractionDelayMs holds back extraction answers only: a chat stream sent meanwhile answers at once", async () => {
    stub.configure({ extractionDelayMs: 600 });
    const started = Date.now();
    const slow = client.chat.completions
      .create({ model: "stub/large", messages: extraction("#0 [user] hello") })
      .then(() => Date.now() - started);
    const stream = await client.chat.completions.create({ model: "stub/large", messages: user("quick"), stream: true });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    const chatMs = Date.now() - started;
    expect(text).toBe(stubReplyFor("quick"));
    expect(chatMs).toBeLessThan(400);
    expect(await slow).toBeGreaterThanOrEqual(590);
  });
});

describe("tool calls", () => {
  const tools: OpenAI.Chat.ChatCompletionTool[] = [
    { type: "function", function: { name: "create_event", parameters: { type: "object", properties: {} } } },
  ];
  const marker = '[[stub:tool=create_event,args={"title":"Dentist, 9:00","start":"2027-02-09T09:00"}]] book it';

  it("streams a marker's call as OpenAI tool_calls deltas (name first, arguments in pieces)", async () => {
    const stream = await client.chat.completions.create({
      model: "stub/small",
      messages: user(marker),
      tools,
      stream: true,
    });
    const deltas: OpenAI.Chat.ChatCompletionChunk.Choice.Delta.ToolCall[] = [];
    let finish: string | null = null;
    let content = "";
    for await (const chunk of stream) {
      deltas.push(...(chunk.choices[0]?.delta.tool_calls ?? []));
      content += chunk.choices[0]?.delta.content ?? "";
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(content).toBe("");
    expect(finish).toBe("tool_calls");
    expect(deltas[0]).toMatchObject({ index: 0, id: expect.any(String), function: { name: "create_event" } });
    expect(deltas.length).toBeGreaterThan(2);
    expect(deltas.map((delta) => delta.function?.arguments ?? "").join("")).toBe(
      '{"title":"Dentist, 9:00","start":"2027-02-09T09:00"}',
    );
  });

  it("answers a tool result with text naming it, and ignores the marker without tools", async () => {
    const after = await client.chat.completions.create({
      model: "stub/small",
      tools,
      messages: [
        ...user(marker),
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "c1", type: "function", function: { name: "create_event", arguments: "{}" } }],
        },
        { role: "tool", tool_call_id: "c1", content: '{"status":"proposed"}' },
      ],
    });
    expect(after.choices[0]!.message.content).toBe('The tool answered: {"status":"proposed"}');
    const plain = await client.chat.completions.create({ model: "stub/small", messages: user(marker) });
    expect(plain.choices[0]!.message).toMatchObject({ content: stubReplyFor("book it") });
    expect(plain.choices[0]!.message.tool_calls).toBeUndefined();
  });

  it("takes=1 numbers the replies to the same text, so asking again gives a different reply", async () => {
    const ask = async (text: string) =>
      (await client.chat.completions.create({ model: "stub/small", messages: user(text) })).choices[0]!.message.content;
    expect(await ask("[[stub:takes=1]] a colour")).toBe(`${stubReplyFor("a colour")} (take 1)`);
    expect(await ask("[[stub:takes=1]] a colour")).toBe(`${stubReplyFor("a colour")} (take 2)`);
    expect(await ask("[[stub:takes=1]] a shape")).toBe(`${stubReplyFor("a shape")} (take 1)`);
    expect(await ask("a colour")).toBe(stubReplyFor("a colour"));
  });

  it("notools=1 refuses requests that offer tools with a 400, as Ollama does for such models", async () => {
    const error = await client.chat.completions
      .create({ model: "stub/small", messages: user("[[stub:notools=1]] hi"), tools })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).status).toBe(400);
    expect((error as APIError).message).toContain("does not support tools");
  });

  it("speaks Ollama's native format: the call whole, arguments as an object", async () => {
    const response = await fetch(`${stub.url}/api/chat`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ model: "stub/small", messages: [{ role: "user", content: marker }], tools }),
    });
    const lines = await readNdjson(response);
    expect(lines[0]).toMatchObject({
      message: {
        role: "assistant",
        content: "",
        tool_calls: [
          { function: { name: "create_event", arguments: { title: "Dentist, 9:00", start: "2027-02-09T09:00" } } },
        ],
      },
      done: false,
    });
    expect(lines.at(-1)).toMatchObject({ done: true });
  });
});

describe("Ollama native API", () => {
  const ollamaChat = (body: Record<string, unknown>): Promise<Response> =>
    fetch(`${stub.url}/api/chat`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ model: "stub/small", messages: [{ role: "user", content: "Hi Ollama" }], ...body }),
    });

  it("lists models at /api/tags", async () => {
    const response = await fetch(`${stub.url}/api/tags`);
    const body: unknown = await response.json();
    expect(body).toEqual({
      models: [
        expect.objectContaining({
          name: "stub/small",
          model: "stub/small",
          modified_at: expect.any(String),
          size: expect.any(Number),
          digest: expect.stringMatching(/^[0-9a-f]{64}$/),
          details: expect.objectContaining({ family: "stub" }),
        }),
        expect.objectContaining({ name: "stub/large" }),
      ],
    });
  });

  it("streams NDJSON by default, ending with a done line carrying counts", async () => {
    const response = await ollamaChat({});
    expect(response.headers.get("content-type")).toBe("application/x-ndjson");
    const lines = await readNdjson(response);
    const expected = stubReplyFor("Hi Ollama");
    const partial = lines.slice(0, -1);
    expect(partial.length).toBe(tokenize(expected).length);
    for (const line of partial) {
      expect(line).toMatchObject({
        model: "stub/small",
        created_at: expect.any(String),
        message: { role: "assistant" },
        done: false,
      });
    }
    const content = partial.map((line) => (line as { message: { content: string } }).message.content).join("");
    expect(content).toBe(expected);
    expect(lines.at(-1)).toMatchObject({
      done: true,
      done_reason: "stop",
      prompt_eval_count: 2,
      eval_count: tokenize(expected).length,
      total_duration: expect.any(Number),
    });
  });

  it("answers with a single object when stream is false", async () => {
    const response = await ollamaChat({ stream: false });
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    const body: unknown = await response.json();
    expect(body).toMatchObject({
      model: "stub/small",
      message: { role: "assistant", content: stubReplyFor("Hi Ollama") },
      done: true,
      done_reason: "stop",
      eval_count: tokenize(stubReplyFor("Hi Ollama")).length,
    });
  });

  it("uses Ollama's error shape and honours markers", async () => {
    const response = await ollamaChat({ messages: [{ role: "user", content: "[[stub:fail=500]]" }] });
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ error: expect.any(String) });

    const dropped = await ollamaChat({ messages: [{ role: "user", content: "x [[stub:fail=drop,after=2]]" }] });
    await expect(dropped.text()).rejects.toThrow();
  });

  it("also serves Ollama's OpenAI-compatible /v1 API", async () => {
    const completion = await client.chat.completions.create({ model: "llama3:latest", messages: user("compat") });
    expect(completion.model).toBe("llama3:latest");
  });
});

describe("control", () => {
  it("records requests with method, path, headers and parsed body", async () => {
    await client.chat.completions.create({ model: "stub/small", messages: user("record me") });
    expect(stub.requests).toHaveLength(1);
    expect(stub.requests[0]).toMatchObject({
      method: "POST",
      path: "/v1/chat/completions",
      headers: { authorization: "Bearer x", "content-type": "application/json" },
      body: { model: "stub/small", messages: user("record me") },
    });
  });

  it("marks a request whose client went away mid-stream as closedEarly", async () => {
    stub.configure({ tokenDelayMs: 20 });
    const controller = new AbortController();
    const stream = await client.chat.completions.create(
      { model: "stub/small", messages: user("a long enough reply to cut"), stream: true },
      { signal: controller.signal },
    );
    for await (const chunk of stream) if (chunk.choices[0]?.delta.content) controller.abort();
    await expect.poll(() => stub.requests.at(-1)?.closedEarly, { timeout: 5000 }).toBe(true);

    stub.configure({ tokenDelayMs: 0 });
    await client.chat.completions.create({ model: "stub/small", messages: user("complete") });
    expect(stub.requests.at(-1)?.closedEarly).toBe(false);
  });

  it("is steerable over HTTP: behaviour, requests and reset", async () => {
    const health = await fetch(`${stub.url}/health`);
    expect(health.status).toBe(200);

    const set = await fetch(`${stub.url}/__stub/behaviour`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ fail: 429, failTimes: 1, retryAfterSeconds: 3 }),
    });
    expect(await set.json()).toMatchObject({ fail: 429, failTimes: 1, retryAfterSeconds: 3, tokenDelayMs: 0 });

    const error = await caught(() => client.chat.completions.create({ model: "stub/small", messages: user("x") }));
    expect(error).toMatchObject({ status: 429 });
    await expect(client.chat.completions.create({ model: "stub/small", messages: user("y") })).resolves.toBeDefined();

    const recorded = await fetch(`${stub.url}/__stub/requests`);
    const { requests } = (await recorded.json()) as { requests: unknown[] };
    expect(requests).toHaveLength(2); // health and control calls are not recorded
    expect(requests[1]).toMatchObject({ path: "/v1/chat/completions", body: { messages: user("y") } });

    const invalid = await fetch(`${stub.url}/__stub/behaviour`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ fail: "sometimes" }),
    });
    expect(invalid.status).toBe(400);

    await fetch(`${stub.url}/__stub/behaviour`, { method: "POST", body: JSON.stringify({ fail: 500 }) });
    await fetch(`${stub.url}/__stub/reset`, { method: "POST" });
    expect(stub.requests).toHaveLength(0);
    await expect(client.chat.completions.create({ model: "stub/small", messages: user("z") })).resolves.toBeDefined();
  });

  it("takes start options and restores them on reset", async () => {
    const own = await startStubLlm({ behaviour: { reply: "fixed", models: [{ id: "m", contextLength: 1 }] } });
    try {
      const ownClient = new OpenAI({ baseURL: `${own.url}/v1`, apiKey: "x", maxRetries: 0 });
      own.configure({ reply: undefined });
      const echoed = await ownClient.chat.completions.create({ model: "m", messages: user("q") });
      expect(echoed.choices[0]?.message.content).toBe(stubReplyFor("q"));
      own.reset();
      const fixed = await ownClient.chat.completions.create({ model: "m", messages: user("q") });
      expect(fixed.choices[0]?.message.content).toBe("fixed");
      expect(own.url).toBe(`http://127.0.0.1:${own.port}`);
    } finally {
      await own.close();
    }
  });
});
