import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { binaryPaths, repoRoot, type BinaryPaths } from "./versions.js";

function missing(paths: BinaryPaths): string[] {
  return Object.values(paths).filter((p) => !existsSync(p));
}

/**
 * Builds whatever control-plane binary is missing (scripts/control-plane/build.sh does the
 * work, under a lock, printing progress to stderr) and returns their paths.
 */
export async function ensureBinaries(env: NodeJS.ProcessEnv = process.env): Promise<BinaryPaths> {
  const paths = binaryPaths(env);
  if (missing(paths).length === 0) return paths;
  process.stderr.write(`[devcluster] building missing binaries: ${missing(paths).join(", ")}\n`);
  await new Promise<void>((resolve, reject) => {
    const child = spawn("bash", [join(repoRoot(), "scripts/control-plane/build.sh"), "all"], {
      env,
      // Progress goes to our stderr so test runners and CI show it while it runs.
      stdio: ["ignore", process.stderr, process.stderr],
    });
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`control-plane build failed (exit ${code})`))));
  });
  const still = missing(paths);
  if (still.length > 0) throw new Error(`control-plane build finished but binaries are missing: ${still.join(", ")}`);
  return paths;
}
