/**
 * Preloaded into a server under test (`node --import ./tests/support/record-module-loads.ts`, plain
 * Node 24 strips the types): appends the URL of every module the process loads, ESM or CommonJS, to
 * the file named by ARES_MODULE_LOG, so a test can prove which files hold the code that ran.
 */
import fs from "node:fs";
import { registerHooks } from "node:module";

const file = process.env.ARES_MODULE_LOG;
if (file) {
  registerHooks({
    load(url, context, nextLoad) {
      fs.appendFileSync(file, `${url}\n`);
      return nextLoad(url, context);
    },
  });
}
