import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "./versions.js";

// kwok Stage configuration for the test control plane, from src/devcluster/kwok-stages/.
// kwok drops all its default stages as soon as its config holds any Stage, so that folder
// carries the defaults verbatim (from kwok v0.8.0's kustomize/stage/node/fast,
// node/heartbeat-with-lease and pod/fast) beside ours:
//   annotation kwok.neoengine.dev/outcome=succeeded  → a Running pod ends Succeeded, exit 0
//   annotation kwok.neoengine.dev/outcome=failed     → a Running pod ends Failed, exit 1
// The optional annotation kwok.neoengine.dev/message becomes the termination message.
export const OUTCOME_ANNOTATION = "kwok.neoengine.dev/outcome";
export const MESSAGE_ANNOTATION = "kwok.neoengine.dev/message";

export function kwokStagesYaml(): string {
  const dir = join(repoRoot(), "src/devcluster/kwok-stages");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((f) => readFileSync(join(dir, f), "utf8").trim())
    .join("\n---\n");
}
