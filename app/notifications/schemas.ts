import { z } from "zod";

const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/;

export const notificationSettingsSchema = z.object({
  briefing: z.enum(["off", "on"]).default("off"),
  briefingTime: z.string().trim().regex(HH_MM, "Write the time as HH:MM, e.g. 07:30.").optional(),
  remindersOnTelegram: z.literal("on").optional(),
  briefingOnTelegram: z.literal("on").optional(),
});

export const notificationActionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("open"), id: z.string().trim().min(1).max(64) }),
  z.object({ intent: z.literal("read"), id: z.string().trim().min(1).max(64) }),
  z.object({ intent: z.literal("read-all") }),
]);
