import { defineConfig } from "prisma/config";
import { migrateAdapter } from "./prisma/pg-compat";

// Used by the Prisma CLI only. `engine: "js"` selects the WASM schema engine, which needs no download.
export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations", seed: "tsx prisma/seed.ts" },
  async adapter() {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error("DATABASE_URL is not set: the Prisma CLI needs a database to talk to.");
    return migrateAdapter(url);
  },
});
