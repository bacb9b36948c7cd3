// `npm run bench [-- name ...]`: runs the named benchmarks (all when none is named) and
// prints one JSON document of their figures. Each benchmark is bench/<name>.ts exporting
// `run(): Promise<Record<string, unknown>>`.
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const here = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith(".ts") && f !== "run.ts" && !f.startsWith("_"))
  .map((f) => f.slice(0, -3))
  .sort();

const wanted = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const unknown = wanted.filter((w) => !available.includes(w));
if (unknown.length > 0) {
  console.error(`unknown benchmark(s): ${unknown.join(", ")}; available: ${available.join(", ")}`);
  process.exit(2);
}

const results: Record<string, unknown> = {};
for (const name of wanted.length > 0 ? wanted : available) {
  const mod = (await import(join(here, `${name}.ts`))) as { run: () => Promise<Record<string, unknown>> };
  console.error(`[bench] running ${name}`);
  results[name] = await mod.run();
}
console.log(JSON.stringify({ machine: { cpus: (await import("node:os")).cpus().length, node: process.version }, results }, null, 2));
