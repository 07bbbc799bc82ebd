import { jobsSuite } from "./jobs.shared";

// This file's own PostgreSQL database (or PGlite when no server is reachable; see tests/setup).
jobsSuite(process.env.ARES_EMBEDDED_DB === "1" ? "embedded" : "postgres");
