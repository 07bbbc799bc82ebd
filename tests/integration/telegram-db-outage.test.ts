/**
 * A Telegram update taken (its update_id claimed) just before the database went away: its handling fails,
 * and so does giving the claim back. When Telegram brings it again (the webhook's retry of a 503, or the
 * poller's next getUpdates), it must be handled, not dropped as a duplicate — that lost what the person wrote.
 * The claim is in the database, not in a process: the retry may reach another webhook process, a new poller
 * or this one restarted. While the claim is fresh the retry is `in_progress` (answered 503, or not confirmed
 * by the poller); once stale it is taken over. The database "goes away" through a TCP proxy that cuts every
 * connection and refuses new ones, and lets them through again later.
 */
import net from "node:net";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
// Types only (erased): the modules themselves are loaded once DATABASE_URL names the proxy.
import type * as Updates from "~/telegram/updates.server";
import type * as Linking from "~/telegram/linking.server";
import type * as Accounts from "../support/accounts";
import type * as Metrics from "~/observability/metrics.server";
import type * as Db from "~/db/db.server";

type Proxy = {
  url: string;
  failOn: (marker: string) => void;
  cut: () => void;
  restore: () => void;
  close: () => Promise<void>;
};

async function startCuttingProxy(targetUrl: string): Promise<Proxy> {
  const target = new URL(targetUrl);
  const sockets = new Set<net.Socket>();
  let marker: string | undefined;
  let down = false;
  const cutAll = () => {
    down = true;
    for (const socket of sockets) socket.destroy();
  };
  const server = net.createServer((client) => {
    if (down) return void client.destroy();
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    sockets.add(client).add(upstream);
    const forget = () => (sockets.delete(client), sockets.delete(upstream));
    client.on("close", forget).on("error", () => upstream.destroy());
    upstream.on("close", () => client.destroy()).on("error", () => client.destroy());
    client.on("data", (chunk: Buffer) => {
      if (marker && chunk.includes(marker)) {
        marker = undefined;
        return cutAll();
      }
      upstream.write(chunk);
    });
    upstream.on("data", (chunk: Buffer) => client.write(chunk));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  const url = new URL(targetUrl);
  url.host = `127.0.0.1:${port}`;
  return {
    url: url.toString(),
    failOn: (text) => void (marker = text),
    cut: cutAll,
    restore: () => void (down = false),
    close: () => (cutAll(), new Promise((resolve) => server.close(() => resolve()))),
  };
}

let proxy: Proxy;
// The app's modules, loaded once DATABASE_URL names the proxy (their pool connects through it).
let app: {
  handleUpdate: typeof Updates.handleUpdate;
  linkChat: typeof Linking.linkChat;
  createLinkCode: typeof Linking.createLinkCode;
  makeUser: typeof Accounts.makeUser;
  metricsRegistry: typeof Metrics.metricsRegistry;
  prisma: typeof Db.prisma;
};

beforeAll(async () => {
  proxy = await startCuttingProxy(process.env.DATABASE_URL!);
  process.env.DATABASE_URL = proxy.url;
  const [updates, linking, accounts, metrics, db] = await Promise.all([
    import("~/telegram/updates.server"),
    import("~/telegram/linking.server"),
    import("../support/accounts"),
    import("~/observability/metrics.server"),
    import("~/db/db.server"),
  ]);
  app = {
    handleUpdate: updates.handleUpdate,
    linkChat: linking.linkChat,
    createLinkCode: linking.createLinkCode,
    makeUser: accounts.makeUser,
    metricsRegistry: metrics.metricsRegistry,
    prisma: db.prisma,
  };
});

afterAll(async () => {
  await proxy?.close();
});

async function failedCount(): Promise<number> {
  const metric = await app.metricsRegistry.getSingleMetric("ares_telegram_updates_total")?.get();
  return metric?.values.find((value) => value.labels.outcome === "failed")?.value ?? 0;
}

/** A linked chat, and a bot whose sendMessage runs `onSend` first (to fail it, or cut the database). */
async function linkedBot(chatId: number, onSend: () => void = () => undefined) {
  const user = await app.makeUser();
  const { code } = await app.createLinkCode(user.id);
  expect(
    (await app.linkChat(code, { chatId: BigInt(chatId), username: undefined, displayName: undefined })).linked,
  ).toBe(true);
  const said: string[] = [];
  const bot = {
    username: "ares_test_bot",
    id: 4242n,
    api: {
      call: <T>(method: string, parameters: Record<string, unknown> = {}) => {
        if (method === "sendMessage") {
          onSend();
          said.push(String(parameters.text));
        }
        return Promise.resolve({ message_id: said.length } as T);
      },
    },
  };
  return { bot, said };
}

const NEW_CONVERSATION = "New conversation started. What would you like to talk about?";

it("handles an update again whose claim could not be given back, from another process once the claim is stale", async () => {
  let failing = true;
  // The answer fails to go out, and the database goes away with it: the claim cannot be given back.
  const { bot, said } = await linkedBot(6006, () => {
    if (!failing) return;
    failing = false;
    proxy.cut();
    throw new Error("Telegram went away too");
  });
  const update = { update_id: 777001, message: { chat: { id: 6006, type: "private" }, text: "/new" } };
  const failedBefore = await failedCount();

  // The handling's own error, not the failed release's; counted as failed.
  await expect(app.handleUpdate(bot, update)).rejects.toThrow("Telegram went away too");
  expect(await failedCount()).toBe(failedBefore + 1);
  expect(said).toEqual([]);

  proxy.restore();
  // Telegram's immediate retry: the claim is fresh (it could be another process still at it), so not
  // handled and not dropped either — in progress, for Telegram to bring again.
  expect(await app.handleUpdate(bot, update)).toBe("in_progress");

  // Another process (or this one restarted): it knows nothing of this one's memory, and the claim in the
  // database says the same.
  vi.resetModules();
  const other = await import("~/telegram/updates.server");
  expect(await other.handleUpdate(bot, update)).toBe("in_progress");
  expect(said).toEqual([]);

  // Minutes later the claim is stale: taken over, handled once, and a further retry is the duplicate it is.
  await app.prisma.$executeRaw`
    UPDATE "TelegramUpdate" SET "pendingSince" = now() - interval '10 minutes'
    WHERE "botId" = 4242 AND "updateId" = 777001`;
  expect(await other.handleUpdate(bot, update)).toBe("handled");
  expect(said).toEqual([NEW_CONVERSATION]);
  expect(await other.handleUpdate(bot, update)).toBe("duplicate");
  expect(await app.handleUpdate(bot, update)).toBe("duplicate");
  expect(said).toEqual([NEW_CONVERSATION]);
});

it("gives the claim back when the handling fails with the database up: the retry is handled at once", async () => {
  let failing = true;
  const { bot, said } = await linkedBot(6007, () => {
    if (!failing) return;
    failing = false;
    throw new Error("Telegram answered 500");
  });
  const update = { update_id: 777002, message: { chat: { id: 6007, type: "private" }, text: "/new" } };
  await expect(app.handleUpdate(bot, update)).rejects.toThrow("Telegram answered 500");
  expect(await app.handleUpdate(bot, update)).toBe("handled");
  expect(said).toEqual([NEW_CONVERSATION]);
  expect(await app.handleUpdate(bot, update)).toBe("duplicate");
});
