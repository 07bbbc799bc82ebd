/**
 * A Telegram update taken (its update_id claimed) just before the database went away: its handling fails,
 * and so does giving the claim back. When Telegram brings it again (the webhook's retry of a 503, or the
 * poller's next getUpdates), it must be handled, not dropped as a duplicate — that lost what the person wrote.
 * The database "goes away" through a TCP proxy that cuts every connection and refuses new ones once the
 * handling asks for the chat's link (right after the claim), and lets them through again later.
 */
import net from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
// Types only (erased): the modules themselves are loaded once DATABASE_URL names the proxy.
import type * as Updates from "~/telegram/updates.server";
import type * as Linking from "~/telegram/linking.server";
import type * as Accounts from "../support/accounts";

type Proxy = { url: string; failOn: (marker: string) => void; restore: () => void; close: () => Promise<void> };

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
};

beforeAll(async () => {
  proxy = await startCuttingProxy(process.env.DATABASE_URL!);
  process.env.DATABASE_URL = proxy.url;
  const [updates, linking, accounts] = await Promise.all([
    import("~/telegram/updates.server"),
    import("~/telegram/linking.server"),
    import("../support/accounts"),
  ]);
  app = {
    handleUpdate: updates.handleUpdate,
    linkChat: linking.linkChat,
    createLinkCode: linking.createLinkCode,
    makeUser: accounts.makeUser,
  };
});

afterAll(async () => {
  await proxy?.close();
});

it("handles an update again whose claim could not be given back while the database was away", async () => {
  const user = await app.makeUser();
  const { code } = await app.createLinkCode(user.id);
  expect((await app.linkChat(code, { chatId: 6006n, username: undefined, displayName: undefined })).linked).toBe(true);
  const said: string[] = [];
  const bot = {
    username: "ares_test_bot",
    id: 4242n,
    api: {
      call: <T>(method: string, parameters: Record<string, unknown> = {}) => {
        if (method === "sendMessage") said.push(String(parameters.text));
        return Promise.resolve({ message_id: said.length } as T);
      },
    },
  };
  const update = { update_id: 777001, message: { chat: { id: 6006, type: "private" }, text: "/new" } };

  proxy.failOn('"TelegramLink"');
  await expect(app.handleUpdate(bot, update)).rejects.toThrow();
  expect(said).toEqual([]);

  proxy.restore();
  // Telegram's retry of the same update, the database back: handled (not a "duplicate" nobody answered).
  expect(await app.handleUpdate(bot, update)).toBe("handled");
  expect(said).toEqual(["New conversation started. What would you like to talk about?"]);
  // And only once: a further retry is the duplicate it is.
  expect(await app.handleUpdate(bot, update)).toBe("duplicate");
});
