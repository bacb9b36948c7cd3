#!/usr/bin/env node
// Entry point of the kubectl plugin: `kubectl neo ...` runs this when kubectl-neo is on the PATH.

import { processIo } from "./io.js";
import { runKubectlNeo } from "./program.js";

const abort = new AbortController();
let interrupts = 0;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    // First Ctrl-C stops watching/following cleanly; a second one exits at once.
    if (++interrupts > 1) process.exit(130);
    abort.abort();
  });
}

const code = await runKubectlNeo(process.argv.slice(2), processIo(abort.signal));
process.exitCode = code;
// Open sockets (keep-alive agents, watches) must not keep a finished command alive.
setImmediate(() => process.exit(code)).unref();
