import { Prisma } from "~/generated/prisma/client";

/**
 * A write about a reply whose row is gone: its conversation (or account) was deleted while the reply
 * was being written. That ends the reply quietly; it is not a fault. P2003: a row referring to the
 * reply (its stored prompt) failed its foreign key; P2025: the reply to update was not found.
 */
export function isRowGone(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && (error.code === "P2003" || error.code === "P2025");
}
