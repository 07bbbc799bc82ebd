import { prisma } from "~/db/db.server";
import type { SelfMemoryCategory } from "~/generated/prisma/client";
import { normaliseMemoryKey } from "./keys";
import { MemoryNotFoundError } from "./memories.server";

/** The assistant's notes about itself (instance-wide; admins edit them on /admin/assistant). */
export function listSelfMemory() {
  return prisma.assistantMemory.findMany({ orderBy: [{ importance: "desc" }, { category: "asc" }, { key: "asc" }] });
}

/** One value per category and key: saving an existing key replaces its value. */
export async function saveSelfMemory(input: {
  category: SelfMemoryCategory;
  key: string;
  value: string;
  importance: number;
}): Promise<void> {
  const key = normaliseMemoryKey(input.key);
  // Named fields only: callers pass a whole form submission (its `intent` is no column).
  const { category, value, importance } = input;
  await prisma.assistantMemory.upsert({
    where: { category_key: { category, key } },
    create: { category, key, value, importance },
    update: { value: input.value, importance: input.importance },
  });
}

export async function deleteSelfMemory(id: string): Promise<void> {
  const { count } = await prisma.assistantMemory.deleteMany({ where: { id } });
  if (count === 0) throw new MemoryNotFoundError();
}
