import fs from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "../..");

export type BotMessage = { messageId: number; text: string };

/** A person's Telegram app, talking to the e2e server's stand-in Bot API (e2e/support/start-server.ts). */
export function telegramChat(baseURL: string, chatId: number) {
  const file = path.join(root, ".e2e", `telegram-url-${new URL(baseURL).port}`);
  const standIn = fs.readFileSync(file, "utf8").trim();
  const control = async (what: string, parameters: Record<string, string>) => {
    const response = await fetch(`${standIn}/__stand-in/${what}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ chat_id: String(chatId), ...parameters }),
    });
    if (!response.ok) throw new Error(`stand-in ${what}: ${response.status}`);
    return response.json() as Promise<unknown>;
  };
  return {
    send: (text: string) => control("send", { text }),
    /** What the bot has said in this chat, the newest version of each message. */
    said: async () => ((await control("messages", {})) as BotMessage[]).map((message) => message.text),
  };
}
