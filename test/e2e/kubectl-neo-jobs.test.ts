// `kubectl neo` end to end: the real kubectl finds the plugin on PATH; the real apiserver, the
// reference network, the simulated provider and the operator (in this process) do the rest.
// run → Succeeded / Failed with the exit status, get (-w), logs (-f), results, cancel, and the
// credential sources (the operator's Secret, the operator's Deployment, a NeoJob's own Secret).
import { pino } from "pino";
import { describe, expect, it, onTestFinished } from "vitest";
import { Resources } from "../../src/kube/index.js";
import { startOperator } from "../../src/operator/index.js";
import { kubeConfig, waitFor } from "../helpers/cluster.js";
import { kubectlNeo, startKubectlNeo } from "./kubectl-neo-helpers.js";
import { getNeoJob, neoJobWorld, waitForNeoJob, type NeoJobWorld } from "./neojob-harness.js";

/** The operator's token Secret, in the shape the operator reads (key "token"), plus a "url" key. */
async function tokenSecret(world: NeoJobWorld, name = "neo-token", data: Record<string, string> = {}): Promise<string> {
  await world.kube.create(
    Resources.secret,
    {
      metadata: { name },
      type: "Opaque",
      stringData: { token: world.consumerToken, url: world.network.url, ...data },
    },
    world.ns,
  );
  return `${world.ns}/${name}`;
}

const HELLO = ["--image", "python:3.11-slim", "--cpu", "2", "--memory", "4Gi", "--max-price", "1.0", "--", "python", "-c", "print('Hello')"];

describe("kubectl neo with the operator", () => {
  it("run follows a NeoJob to Succeeded (exit 0); get, logs and results show it", async () => {
    const world = await neoJobWorld({ jobDurationMs: 3000 });
    const secret = await tokenSecret(world);
    const run = await kubectlNeo(["run", "hello", "-n", world.ns, ...HELLO]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe(`neojob.neoengine.dev/hello created in namespace ${world.ns}`);
    // One line per visible change in a pipe: it went through Running with progress, then Succeeded.
    expect(lines.some((l) => /^neojob\/hello\s+Running\s+\[#*-+\]\s+\d+%\s+provider prov_/.test(l))).toBe(true);
    expect(lines).toContainEqual(expect.stringMatching(/^neojob\/hello Succeeded after \d+s, cost [0-9.]+ credits$/));
    const job = await getNeoJob(world, "hello");
    expect(job.status?.phase).toBe("Succeeded");
    expect(job.spec).toMatchObject({ image: "python:3.11-slim", command: ["python", "-c", "print('Hello')"], resources: { cpu: 2, memory: "4Gi" } });

    const get = await kubectlNeo(["get", "-n", world.ns]);
    expect(get.code, get.stderr).toBe(0);
    expect(get.stdout.split("\n")[0]).toMatch(/^NAME\s+PHASE\s+PROGRESS\s+PROVIDER\s+COST\s+AGE$/);
    expect(get.stdout).toMatch(new RegExp(`^hello\\s+Succeeded\\s+\\[##########\\] 100%\\s+${world.provider.id}\\s+${job.status!.cost!.replace(".", "\\.")}\\s+\\d+s$`, "m"));
    const all = await kubectlNeo(["get", "-A", "-o", "wide"]);
    expect(all.stdout).toMatch(new RegExp(`^${world.ns}\\s+hello\\s+Succeeded.*${job.status!.jobId}`, "m"));

    const logs = await kubectlNeo(["logs", "hello", "-n", world.ns, "--token-secret", secret]);
    expect(logs.stderr).toBe("");
    expect(logs.code).toBe(0);
    expect(logs.stdout).toContain("Hello\n");
    const tail = await kubectlNeo(["logs", "hello", "-n", world.ns, "--token-secret", secret, "--tail", "1"]);
    expect(tail.stdout.trimEnd().split("\n")).toHaveLength(1);

    const results = await kubectlNeo(["results", "hello", "-n", world.ns, "--token-secret", secret, "-o", "json"]);
    expect(results.code, results.stderr).toBe(0);
    expect(JSON.parse(results.stdout)).toMatchObject({ exitCode: 0, cost: expect.any(String) });
    const table = await kubectlNeo(["results", "hello", "-n", world.ns, "--token-secret", secret]);
    expect(table.stdout).toMatch(/^Exit code:\s+0$/m);
    expect(table.stdout).toMatch(/^Job:\s+job_\w+$/m);
  });

  it("run exits 1 when the job fails, with the reason", async () => {
    const world = await neoJobWorld({ jobDurationMs: 500 });
    const run = await kubectlNeo(["run", "fails", "-n", world.ns, "-e", "NEO_SIM_EXIT_CODE=3", ...HELLO]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^neojob\/fails Failed.*: ProviderFailed: .*exit code 3/m);
  });

  it("run --detach returns at once; logs -f waits for the job and streams it to the end; get <name> -w ends with the job", async () => {
    // No operator yet: the NeoJob stays Pending until the watchers are attached, so what they
    // print does not depend on how fast they start.
    const world = await neoJobWorld({ jobDurationMs: 4000, operator: false });
    const secret = await tokenSecret(world);
    const detached = await kubectlNeo(["run", "streamed", "-n", world.ns, "--detach", ...HELLO]);
    expect(detached.code, detached.stderr).toBe(0);
    expect(detached.stdout).toContain("Follow it with: kubectl neo get streamed");
    const follow = startKubectlNeo(["logs", "streamed", "-n", world.ns, "-f", "--token-secret", secret]);
    const watch = startKubectlNeo(["get", "streamed", "-n", world.ns, "-w"]);
    await waitFor(() => /^streamed\s+Pending\s/m.test(watch.stdout()), { description: "get -w to print the Pending NeoJob" });
    const operator = await startOperator({
      kubeconfig: kubeConfig(),
      neoengineUrl: world.network.url,
      token: world.consumerToken,
      namespaces: [world.ns],
      metricsAddr: false,
      healthAddr: false,
      pollMinIntervalMs: 300,
      logger: pino({ level: "silent" }),
    });
    onTestFinished(() => operator.stop());
    expect(await follow.exited).toBe(0);
    expect(follow.stderr()).toBe("");
    expect(follow.stdout()).toContain("Hello\n");
    expect(await watch.exited).toBe(0);
    const rows = watch.stdout().trimEnd().split("\n");
    expect(rows[0]).toMatch(/^NAME\s+PHASE\s+PROGRESS/);
    expect(rows.at(-1)).toMatch(/^streamed\s+Succeeded\s+\[##########\] 100%/);
    // Plain lines (not a terminal): one row per change, no escape sequences.
    expect(rows.filter((r) => /^streamed\s+Running\s+\[#*-+\]\s+\d+%/.test(r)).length).toBeGreaterThanOrEqual(1);
    expect(watch.stdout()).not.toContain("\x1b[");
  });

  it("cancel stops a running job remotely; the NeoJob ends Cancelled and run reports it with exit 1", async () => {
    const world = await neoJobWorld({ jobDurationMs: 60_000 });
    const secret = await tokenSecret(world);
    const runner = startKubectlNeo(["run", "long", "-n", world.ns, ...HELLO]);
    const running = await waitForNeoJob(world, "long", (j) => j.status?.phase === "Running", "Running");
    const cancel = await kubectlNeo(["cancel", "long", "-n", world.ns, "--token-secret", secret]);
    expect(cancel.stderr).toBe("");
    expect(cancel.code).toBe(0);
    expect(cancel.stdout).toBe(`neojob/long cancelled: remote job ${running.status!.jobId} is cancelled\n`);
    await waitForNeoJob(world, "long", (j) => j.status?.phase === "Cancelled", "Cancelled");
    expect(await runner.exited).toBe(1);
    expect(runner.stdout()).toMatch(/^neojob\/long Cancelled/m);
    // Cancelling again is harmless.
    const again = await kubectlNeo(["cancel", "long", "-n", world.ns, "--token-secret", secret]);
    expect([again.code, again.stdout]).toEqual([0, "neojob/long already Cancelled; nothing to cancel\n"]);
  });

  it("credentials: the operator's Deployment names the Secret and URL; a NeoJob's own Secret is used for its logs", async () => {
    const world = await neoJobWorld({ jobDurationMs: 500 });
    // An operator Deployment as the chart renders it (replicas 0: only its arguments matter here).
    const secretRef = await tokenSecret(world, "operator-token", { url: "" });
    const labels = { "app.kubernetes.io/name": "neoengine-operator", "app.kubernetes.io/component": "operator" };
    await world.kube.create(
      { apiVersion: "apps/v1", kind: "Deployment", plural: "deployments", namespaced: true },
      {
        metadata: { name: "neoengine-operator", labels },
        spec: {
          replicas: 0,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: {
              containers: [
                { name: "operator", image: "neoengine-operator:dev", args: [`--neoengine-url=${world.network.url}/v1`, `--token-secret=${secretRef}`, "--concurrency=4"] },
              ],
            },
          },
        },
      },
      world.ns,
    );
    const wallet = await kubectlNeo(["wallet", "-n", world.ns, "-o", "json"]);
    expect(wallet.stderr).toBe("");
    expect(wallet.code).toBe(0);
    expect(JSON.parse(wallet.stdout).balance).toMatchObject({ available: expect.any(String), escrowed: expect.any(String) });

    // A second account whose token lives in a Secret the NeoJob names: its logs are only
    // readable with that token (the consumer's token would get 404 for another account's job).
    await world.network.admin.createAccount("bob", "pro", "100");
    const bobToken = await world.network.admin.createToken("bob");
    await world.kube.create(Resources.secret, { metadata: { name: "bob-token" }, stringData: { api: bobToken } }, world.ns);
    const run = await kubectlNeo(["run", "bobs", "-n", world.ns, "--credentials-secret", "bob-token:api", ...HELLO]);
    expect(run.code, run.stderr + run.stdout).toBe(0);
    expect(await world.network.admin.countJobs({ account: "bob" })).toBe(1);
    const logs = await kubectlNeo(["logs", "bobs", "-n", world.ns], { env: { NEOENGINE_URL: world.network.url } });
    expect(logs.stderr).toBe("");
    expect(logs.stdout).toContain("Hello");
    const missing = await kubectlNeo(["run", "nosecret", "-n", world.ns, "--detach", "--credentials-secret", "absent", ...HELLO]);
    expect(missing.code).toBe(0);
    const denied = await kubectlNeo(["logs", "nosecret", "-n", world.ns, "--token-secret", secretRef]);
    expect(denied.code).toBe(3);
    expect(denied.stderr).toMatch(/error: neojob\/nosecret has no remote job yet|the NeoJob's credentials Secret .*\/absent does not exist/);
  });

  it("NeoEngine and cluster errors: unknown NeoJob, results before the end, a refused token", async () => {
    const world = await neoJobWorld({ jobDurationMs: 60_000 });
    const secret = await tokenSecret(world);
    const unknown = await kubectlNeo(["logs", "nope", "-n", world.ns, "--token-secret", secret]);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain(`neojob "nope" in namespace "${world.ns}": not found`);
    await kubectlNeo(["run", "slow", "-n", world.ns, "--detach", ...HELLO]);
    await waitForNeoJob(world, "slow", (j) => j.status?.phase === "Running", "Running");
    const early = await kubectlNeo(["results", "slow", "-n", world.ns, "--token-secret", secret]);
    expect(early.code).toBe(3);
    expect(early.stderr).toContain("neojob/slow has not finished yet (phase Running): NeoEngine CONFLICT");
    const refused = await kubectlNeo(["logs", "slow", "-n", world.ns], { env: { NEOENGINE_URL: world.network.url, NEOENGINE_TOKEN: "neo_wrong" } });
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/^error: NeoEngine UNAUTHORIZED \(HTTP 401\)/m);
    const invalid = await kubectlNeo(["run", "x", "-n", world.ns, "--image", "b", "--max-price", "1", "--timeout", "1h", "--detach", "--", "true"], {
      env: { KUBECONFIG: "/nonexistent" },
    });
    expect(invalid.code).toBe(3);
    expect(invalid.stderr).toContain("no cluster configured");
    onTestFinished(() => kubectlNeo(["cancel", "slow", "-n", world.ns, "--token-secret", secret]).then(() => undefined));
  });
});
