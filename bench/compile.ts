import { execFileSync } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";

/**
 * Compiles the project with tsc into node_modules/.cache/<dir> (so package imports resolve) and
 * returns the path of `entry` (relative to src/, .js). Benchmarks run compiled JavaScript, as the
 * image does, not tsx (whose on-the-fly compiler would double the RSS). tsc emits even when
 * unrelated files have type errors; the entry is checked.
 */
export function compileForBench(dir: string, entry: string): string {
  const out = join(process.cwd(), "node_modules", ".cache", dir);
  rmSync(out, { recursive: true, force: true });
  try {
    execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json", "--outDir", out], { stdio: "ignore" });
  } catch {
    // type errors elsewhere still emit; checked below
  }
  const path = join(out, "src", entry);
  if (!existsSync(path)) throw new Error(`compiling ${entry} failed`);
  return path;
}
