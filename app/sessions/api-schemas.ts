import { z } from "zod";

export const purgeSessionsResponseSchema = z.object({
  purged: z.number().int().min(0).describe("Sessions deleted"),
});
