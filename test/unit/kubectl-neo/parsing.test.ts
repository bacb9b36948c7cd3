// Command parsing: flags become the right NeoJob, mistakes are usage errors (exit 2) that name
// the flag, help works, and environment problems are reported with exit 3.
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { neoJobFromFlags, neoJobFromManifest } from "../../../src/cli/kubectl-neo/neojob/build.js";
import { neo } from "./helpers.js";

const RUN = ["run", "hello", "-n", "team-a", "--image", "python:3.11-slim", "--max-price", "0.5", "--dry-run"];

describe("kubectl neo run: flags to NeoJob", () => {
  it("builds the NeoJob from flags and the command after --", async () => {
    const r = await neo([
      ...RUN,
      "--cpu", "2", "--memory", "4Gi", "--gpu", "1", "--gpu-model", "nvidia-a100", "--timeout", "30m",
      "-e", "EPOCHS=3", "--env", "LR=0.1", "--min-reputation", "600", "--credentials-secret", "team-token:api",
      "--", "python", "-c", "print('Hello')", "--not-a-flag",
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(parse(r.stdout)).toEqual({
      apiVersion: "neoengine.dev/v1alpha1",
      kind: "NeoJob",
      metadata: { name: "hello", namespace: "team-a" },
      spec: {
        image: "python:3.11-slim",
        command: ["python", "-c", "print('Hello')", "--not-a-flag"],
        env: [
          { name: "EPOCHS", value: "3" },
          { name: "LR", value: "0.1" },
        ],
        resources: { cpu: 2, memory: "4Gi", gpu: 1, gpuModel: "nvidia-a100" },
        maxPrice: "0.5",
        timeout: "30m",
        placement: { minReputation: 600 },
        credentialsSecretRef: { name: "team-token", key: "api" },
      },
    });
  });

  it("applies the same defaults as the CRD (1 cpu, 1Gi, 0 gpu, 1h) and -o json", async () => {
    const r = await neo([...RUN, "-o", "json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).spec).toEqual({
      image: "python:3.11-slim",
      resources: { cpu: 1, memory: "1Gi", gpu: 0 },
      maxPrice: "0.5",
      timeout: "1h",
    });
  });

  it.each([
    [["--cpu", "0"], "--cpu must be between 1 and 1024, got 0"],
    [["--cpu", "1.5"], "--cpu must be a whole number"],
    [["--gpu", "-1"], "--gpu must be a whole number"],
    [["--memory", "lots"], "--memory must be a positive quantity"],
    [["--memory", "0Gi"], "--memory must be a positive quantity"],
    [["--max-price", "0"], "--max-price must be a positive decimal"],
    [["--max-price", "-1"], "--max-price must be a positive decimal"],
    [["--timeout", "1 hour"], "--timeout must be a duration"],
    [["--timeout", "0s"], "--timeout must be a duration"],
    [["--gpu-model", "NVIDIA A100"], "--gpu-model must be a market slug"],
    [["-e", "no-equals"], "--env must be NAME=value"],
    [["--min-reputation", "1001"], "--min-reputation must be between 0 and 1000"],
    [["--gpu-model", "nvidia-a100"], "--gpu-model needs --gpu N"],
  ])("refuses %j with exit 2: %s", async (flags, message) => {
    const r = await neo([...RUN, ...flags]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stdout).toBe("");
  });

  it("requires --image and --max-price, and a valid name", async () => {
    const noImage = await neo(["run", "hello", "-n", "x", "--max-price", "1", "--dry-run"]);
    expect([noImage.code, noImage.stderr]).toEqual([2, expect.stringContaining("--image is required")]);
    const noPrice = await neo(["run", "hello", "-n", "x", "--image", "busybox", "--dry-run"]);
    expect(noPrice.code).toBe(2);
    expect(noPrice.stderr).toContain("--max-price is required");
    expect(noPrice.stderr).toContain("kubectl neo prices");
    const badName = await neo(["run", "Hello_World", "-n", "x", "--image", "busybox", "--max-price", "1", "--dry-run"]);
    expect(badName.code).toBe(2);
    expect(badName.stderr).toContain('invalid NeoJob name "Hello_World"');
    const noName = await neo(["run", "-n", "x", "--image", "busybox", "--max-price", "1", "--dry-run"]);
    expect(noName.code).toBe(2);
    expect(noName.stderr).toContain("a name is required");
  });

  it("a command without -- is refused rather than guessed", async () => {
    const r = await neo([...RUN, "python", "-c", "print(1)"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown option '-c'");
  });

  it("-f reads a manifest; the name argument overrides metadata.name; flags and -f do not mix", async () => {
    const dir = mkdtempSync(join(tmpdir(), "neo-run-"));
    const file = join(dir, "job.yaml");
    writeFileSync(
      file,
      "apiVersion: neoengine.dev/v1alpha1\nkind: NeoJob\nmetadata:\n  name: from-file\nspec:\n  image: busybox\n  maxPrice: '2'\n",
    );
    const r = await neo(["run", "-f", file, "-n", "ns1", "--dry-run", "-o", "json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).metadata).toEqual({ name: "from-file", namespace: "ns1" });
    const renamed = await neo(["run", "other", "-f", file, "-n", "ns1", "--dry-run", "-o", "json"]);
    expect(JSON.parse(renamed.stdout).metadata.name).toBe("other");
    const mixed = await neo(["run", "-f", file, "-n", "ns1", "--image", "x", "--dry-run"]);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toContain("-f cannot be combined with job flags");
    const missing = await neo(["run", "-f", join(dir, "nope.yaml"), "-n", "ns1", "--dry-run"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("cannot read");
  });

  it("manifests that are not exactly one valid NeoJob are refused with the reason", () => {
    expect(() => neoJobFromManifest("kind: Pod\napiVersion: v1\nmetadata: {name: x}\n", "f.yaml", undefined)).toThrow(/must contain a NeoJob/);
    expect(() => neoJobFromManifest("a: [", "f.yaml", undefined)).toThrow(/not valid YAML/);
    expect(() =>
      neoJobFromManifest("apiVersion: neoengine.dev/v1alpha1\nkind: NeoJob\nmetadata: {name: x}\nspec: {image: b, maxPrice: '0'}\n", "f.yaml", undefined),
    ).toThrow(/spec.maxPrice/);
    expect(() => neoJobFromManifest("---\na: 1\n---\nb: 2\n", "f.yaml", undefined)).toThrow(/exactly one NeoJob, found 2/);
    expect(() => neoJobFromManifest("apiVersion: neoengine.dev/v1alpha1\nkind: NeoJob\nspec: {image: b, maxPrice: '1'}\n", "f.yaml", undefined)).toThrow(
      /no metadata.name/,
    );
  });

  it("neoJobFromFlags validates the spec with the CRD schema", () => {
    const job = neoJobFromFlags("ok", { image: "busybox", maxPrice: "1.25" }, ["echo", "hi"]);
    expect(job).toMatchObject({ metadata: { name: "ok" }, spec: { command: ["echo", "hi"], maxPrice: "1.25" } });
  });
});

describe("kubectl neo: global parsing, help and errors", () => {
  it("--help and per-command help exit 0 and explain the commands", async () => {
    const top = await neo(["--help"]);
    expect(top.code).toBe(0);
    for (const cmd of ["run", "get", "logs", "results", "cancel", "providers", "prices", "stats", "wallet", "withdraw"]) {
      expect(top.stdout).toMatch(new RegExp(`^  ${cmd}\\b`, "m"));
    }
    expect(top.stdout).toContain("Exit status:");
    expect(top.stdout).toContain("NEOENGINE_TOKEN");
    const runHelp = await neo(["run", "--help"]);
    expect(runHelp.code).toBe(0);
    expect(runHelp.stdout).toContain("--max-price <credits>");
    expect(runHelp.stdout).toContain("Examples:");
    expect(runHelp.stdout).toContain("--kubeconfig"); // global flags shown on every command
    const viaHelp = await neo(["help", "withdraw"]);
    expect(viaHelp.code).toBe(0);
    expect(viaHelp.stdout).toContain("--yes");
  });

  it("unknown commands and options, missing arguments and bad -o are usage errors (exit 2)", async () => {
    const unknown = await neo(["lgs", "x"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'lgs'");
    expect(unknown.stderr).toContain("Did you mean logs?");
    expect((await neo(["logs"])).stderr).toContain("missing required argument 'name'");
    expect((await neo(["logs"])).code).toBe(2);
    expect((await neo(["get", "--bogus"])).code).toBe(2);
    const badOutput = await neo(["prices", "-o", "xml", "--neoengine-url", "http://127.0.0.1:1", "--token", "t"]);
    expect(badOutput.code).toBe(2);
    expect(badOutput.stderr).toContain("-o must be one of table, json, yaml");
    const both = await neo(["get", "-A", "-n", "x"]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("either -n/--namespace or -A");
    const tail = await neo(["logs", "x", "--tail", "many"]);
    expect([tail.code, tail.stderr]).toEqual([2, expect.stringContaining("--tail must be a whole number")]);
    const amount = await neo(["withdraw", "ten", "--yes", "--neoengine-url", "http://127.0.0.1:1", "--token", "t"]);
    expect([amount.code, amount.stderr]).toEqual([2, expect.stringContaining("<amount> must be a positive decimal")]);
  });

  it("no cluster configured: a clear message and exit 3", async () => {
    const none = await neo(["get"]);
    expect(none.code).toBe(3);
    expect(none.stderr).toContain("no cluster configured");
    const missingFile = await neo(["get"], { env: { KUBECONFIG: "/does/not/exist" } });
    expect(missingFile.code).toBe(3);
    expect(missingFile.stderr).toContain("KUBECONFIG=/does/not/exist names no existing file");
    const badFlag = await neo(["get", "--kubeconfig", "/does/not/exist"]);
    expect(badFlag.code).toBe(2);
  });

  it("a cluster that does not answer: exit 3 naming the server; unknown --context: exit 2 listing contexts", async () => {
    const dir = mkdtempSync(join(tmpdir(), "neo-kc-"));
    const kc = join(dir, "config");
    writeFileSync(
      kc,
      [
        "apiVersion: v1",
        "kind: Config",
        "clusters: [{name: c, cluster: {server: 'https://127.0.0.1:1'}}]",
        "users: [{name: u, user: {token: x}}]",
        "contexts: [{name: dead, context: {cluster: c, user: u, namespace: team-a}}]",
        "current-context: dead",
      ].join("\n"),
    );
    const r = await neo(["get", "--kubeconfig", kc]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("cannot reach the cluster at https://127.0.0.1:1: connection refused");
    const ctx = await neo(["get", "--kubeconfig", kc, "--context", "prod"]);
    expect(ctx.code).toBe(2);
    expect(ctx.stderr).toContain('context "prod" is not in the kubeconfig');
    expect(ctx.stderr).toContain("known contexts: dead");
    // The context's namespace is the default one (dry-run reads the kubeconfig, sends nothing).
    const dry = await neo(["run", "x", "--image", "b", "--max-price", "1", "--dry-run", "-o", "json", "--kubeconfig", kc]);
    expect(JSON.parse(dry.stdout).metadata.namespace).toBe("team-a");
  });

  it("no NeoEngine credentials anywhere: says where it looked, exit 3", async () => {
    const r = await neo(["wallet"]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("no NeoEngine credentials");
    expect(r.stderr).toContain("NEOENGINE_TOKEN");
    const badSecretRef = await neo(["wallet", "--token-secret", "just-a-name"]);
    expect(badSecretRef.code).toBe(2);
    expect(badSecretRef.stderr).toContain("--token-secret must be <namespace>/<name>");
    const badUrl = await neo(["wallet"], { env: { NEOENGINE_URL: "not a url", NEOENGINE_TOKEN: "t" } });
    expect(badUrl.code).toBe(2);
    expect(badUrl.stderr).toContain('the NeoEngine URL "not a url" is not a URL');
  });
});
