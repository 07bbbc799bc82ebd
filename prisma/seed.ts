/**
 * Development seed data (`npm run db:seed`). Idempotent: running it twice changes nothing.
 */
import { closeDb, prisma } from "~/db/db.server";

const demoUsers = [{ email: "demo@ares.local", name: "Demo User", timeZone: "Europe/Berlin" }];

for (const user of demoUsers) {
  await prisma.user.upsert({ where: { email: user.email }, update: {}, create: user });
}
console.log(`Seeded ${demoUsers.length} user(s).`);
await closeDb();
