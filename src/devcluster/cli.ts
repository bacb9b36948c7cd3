// `npm run cluster:up` / `npm run cluster:down`: a detached control plane in .cluster/,
// for development and for running the e2e suite against it. Both are idempotent.
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { startControlPlane, COMPONENTS } from "./control-plane.js";
import { runningComponents, stopProcesses } from "./processes.js";
import { repoRoot } from "./versions.js";

const dir = join(repoRoot(), ".cluster");
const kubeconfigPath = join(dir, "kubeconfig");

async function up(): Promise<void> {
  const running = runningComponents(dir);
  if (running.length === COMPONENTS.length && existsSync(kubeconfigPath)) {
    console.error("[devcluster] already running");
  } else {
    if (running.length > 0) {
      console.error(`[devcluster] partly running (${running.join(", ")}); restarting`);
    }
    await stopProcesses(dir);
    rmSync(dir, { recursive: true, force: true });
    await startControlPlane({ dir, ownerPid: null });
  }
  console.log(`export KUBECONFIG=${kubeconfigPath}`);
}

async function down(): Promise<void> {
  const running = runningComponents(dir);
  await stopProcesses(dir, [...COMPONENTS].reverse());
  rmSync(dir, { recursive: true, force: true });
  console.error(running.length > 0 ? `[devcluster] stopped ${running.join(", ")}` : "[devcluster] not running");
}

async function status(): Promise<void> {
  const running = runningComponents(dir);
  console.log(running.length > 0 ? `running: ${running.join(", ")}\nexport KUBECONFIG=${kubeconfigPath}` : "not running");
}

const commands: Record<string, () => Promise<void>> = { up, down, status };
const cmd = process.argv[2] ?? "";
const run = commands[cmd];
if (!run) {
  console.error("usage: tsx src/devcluster/cli.ts up|down|status");
  process.exit(2);
}
run().catch((err: unknown) => {
  console.error(`[devcluster] ${(err as Error).message}`);
  process.exit(1);
});
