/**
 * `npm run dev:telegram`: a stand-in Telegram Bot API on 127.0.0.1 for development.
 *
 * Environment: TELEGRAM_BOT_TOKEN (default `123456:stand-in`), STAND_IN_TELEGRAM_PORT (default 8081).
 * Start ARES with the printed variables, then talk to it as a person would:
 *   curl -d chat_id=42 -d text=hello http://127.0.0.1:8081/__stand-in/send
 *   curl 'http://127.0.0.1:8081/__stand-in/messages?chat_id=42'
 */
import { startStandInTelegram } from "./telegram-server";

const token = process.env.TELEGRAM_BOT_TOKEN || "123456:stand-in";
const port = Number(process.env.STAND_IN_TELEGRAM_PORT ?? 8081);
const stand = await startStandInTelegram({ token, port });
console.log(`Stand-in Telegram Bot API on ${stand.apiBase} (bot @${stand.bot.username})`);
console.log(`Start ARES with: TELEGRAM_API_BASE=${stand.apiBase} TELEGRAM_BOT_TOKEN=${token}`);
const stop = () => void stand.close().then(() => process.exit(0));
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
