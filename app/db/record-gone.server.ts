import { Prisma } from "~/generated/prisma/client";

/**
 * Runs `work`, which reads a row and then updates or deletes it; when another request deleted that row in
 * between (the same form sent twice at once, two tabs), Prisma's "record to update or delete does not
 * exist" (P2025) becomes `gone()`, the domain's not-found error (a 404), instead of a 500.
 */
export async function unlessGone<T>(work: () => Promise<T>, gone: () => Error): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2025") throw gone();
    throw error;
  }
}
