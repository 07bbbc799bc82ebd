import { z } from "zod";

// Shared by the server (validation) and the browser (HTML constraints and live checks).
export const MIN_PASSWORD = 12;
export const MAX_PASSWORD = 256;

export const emailField = z
  .string({ error: "Enter your email address." })
  .trim()
  .max(254, "That email address is too long.")
  .pipe(z.email({ error: "Enter a valid email address, like name@example.com." }));

export const newPasswordField = z
  .string({ error: "Choose a password." })
  .min(MIN_PASSWORD, `Use at least ${MIN_PASSWORD} characters.`)
  .max(MAX_PASSWORD, `Use at most ${MAX_PASSWORD} characters.`);

export const loginSchema = z.object({
  email: emailField,
  password: z.string({ error: "Enter your password." }).max(MAX_PASSWORD, "That password is too long."),
  remember: z.boolean().optional(),
  redirectTo: z.string().optional(),
});

export const signupSchema = z.object({
  name: z.string().trim().max(100, "Use at most 100 characters.").optional(),
  email: emailField,
  password: newPasswordField,
  // A field people never see: bots that fill every input reveal themselves.
  website: z.string().optional(),
  redirectTo: z.string().optional(),
});
