import fs from "node:fs";
import path from "node:path";
import { btree_gist } from "@electric-sql/pglite/contrib/btree_gist";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

export type EmbeddedDatabase = {
  url: string;
  stop: () => Promise<void>;
};

export class DataDirInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(
      `The embedded database in ${dataDir} is already in use by process ${pid}. Stop it first, or set ARES_DATA_DIR.`,
    );
    this.name = "DataDirInUseError";
  }
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else — still alive.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** PGlite has no multi-process locking of its own: two writers would corrupt the data folder. */
export function claimDataDir(dir: string): () => void {
  const lockFile = path.join(dir, "ares.lock");
  try {
    fs.writeFileSync(lockFile, String(process.pid), { flag: "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    const holder = Number(fs.readFileSync(lockFile, "utf8").trim());
    if (Number.isInteger(holder) && holder !== process.pid && processIsAlive(holder)) {
      throw new DataDirInUseError(dir, holder);
    }
    fs.writeFileSync(lockFile, String(process.pid));
  }
  return () => fs.rmSync(lockFile, { force: true });
}

/** The contrib extensions the migrations create (btree_gist: the calendar's window index), for every PGlite opened. */
export const pgliteExtensions = { btree_gist };

/**
 * Starts PGlite (PostgreSQL compiled to WASM) on `dataDir` and serves it over the PostgreSQL wire
 * protocol on 127.0.0.1, so the app, the Prisma CLI and psql all use an ordinary postgresql:// URL.
 * Every connection is served by PGlite's one session, one query at a time: the app uses a pool of size 1.
 */
export async function startEmbeddedDatabase(dataDir: string | undefined): Promise<EmbeddedDatabase> {
  let release = () => {};
  if (dataDir) {
    fs.mkdirSync(dataDir, { recursive: true });
    release = claimDataDir(dataDir);
  }
  const db = await PGlite.create(dataDir ? path.join(dataDir, "pglite") : undefined, {
    extensions: pgliteExtensions,
  });
  // Room for the app's one and a replacement: pg-pool drops a connection whose query failed and opens the
  // next at once, before the socket server has let go of the old one (with room for one only, it refused
  // the new one). Not more: every connection shares the one session, so another client connected while
  // ARES runs (an open BEGIN would stall it) is not something to invite.
  const server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: 0, maxConnections: 3 });
  await server.start();
  const address = server.getServerConn();
  return {
    url: `postgresql://postgres@${address}/postgres?sslmode=disable`,
    async stop() {
      await server.stop();
      await db.close();
      release();
    },
  };
}
