import { z } from "zod";
import { MAX_PASSWORD, newPasswordField } from "~/auth/schemas";
import { withoutNul } from "~/validation/text";
import { isTimeZone } from "./time-zone";

// Shared by the server (validation) and the browser (HTML constraints and live checks).

export const profileSchema = z.object({
  name: withoutNul(z.string().trim().max(100, "Use at most 100 characters.")).optional(),
  timeZone: z
    .string({ error: "Choose your time zone." })
    .refine(isTimeZone, "Choose a time zone from the list, such as Europe/Paris."),
});

export const passwordChangeSchema = z
  .object({
    // Absent for accounts that have no password yet (e.g. Auth0 sign-in only).
    currentPassword: z.string().max(MAX_PASSWORD, "That password is too long.").optional(),
    newPassword: newPasswordField,
  })
  // Keeping the old password is no change: whoever knew it would still get in.
  .refine((value) => value.newPassword !== value.currentPassword, {
    path: ["newPassword"],
    message: "Choose a password different from your current one.",
  });

export const deleteAccountSchema = z.object({
  confirmEmail: z.string({ error: "Type your email address to confirm." }).trim().max(254),
});

export const sessionActionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("revoke"), sessionId: withoutNul(z.string({ error: "Choose a session." }).max(100)) }),
  z.object({ intent: z.literal("revoke-others") }),
]);
