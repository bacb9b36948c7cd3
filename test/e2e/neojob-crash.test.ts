// Crash safety: the operator is SIGKILLed between POST /jobs and the status write that records
// the job id (NEO_TEST_CRASH_AFTER_SUBMIT=1 makes the child kill itself right after the POST
// answered). The pending marker and the Idempotency-Key make the restarted operator find the
// same remote job: exactly one job exists on the network. Also: SIGTERM shuts down gracefully.
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { NeoEngineClient } from "../../src/neoengine/index.js";
import { createNeoJob, getNeoJob, neoJobManifest, neoJobWorld, spawnOperator, waitForNeoJob } from "./neojob-harness.js";

describe("NeoJob crash safety", () => {
  it("SIGKILL between POST and status write, then restart: exactly one remote job", async () => {
    const world = await neoJobWorld({ operator: false, jobDurationMs: 1000 });
    const tokenFile = join(mkdtempSync(join(tmpdir(), "neo-token-")), "token");
    writeFileSync(tokenFile, `${world.consumerToken}\n`);
    const args = ["--neoengine-url", world.network.url, "--token-file", tokenFile, "--namespace", world.ns, "--poll-min-interval", "300", "--tier", "enterprise"];

    const crashing = await spawnOperator(args, { NEO_TEST_CRASH_AFTER_SUBMIT: "1" });
    await createNeoJob(world, neoJobManifest("crash"));
    const exit = await crashing.exited;
    expect(exit.signal, crashing.output.join("")).toBe("SIGKILL");
    // The POST went through, the job id never reached the object: only the marker is there.
    const between = await getNeoJob(world, "crash");
    expect(between.status?.pendingSubmit?.idempotencyKey).toBe(`neojob-${between.metadata.uid}-1`);
    expect(between.status?.jobId).toBeUndefined();
    expect(await world.network.admin.countJobs({ account: "alice" })).toBe(1);

    const restarted = await spawnOperator(args);
    const done = await waitForNeoJob(world, "crash", (j) => j.status?.phase === "Succeeded", "Succeeded after the restart");
    expect(done.status?.pendingSubmit).toBeUndefined();
    expect(done.status?.attempts).toBe(1);
    expect(await world.network.admin.countJobs({ account: "alice" })).toBe(1);
    const client = new NeoEngineClient({ baseUrl: `${world.network.url}/v1`, token: world.consumerToken, rateLimiter: false });
    try {
      const all = await client.listJobs({ limit: 100 });
      expect(all.jobs.map((j) => j.id)).toEqual([done.status?.jobId]);
    } finally {
      await client.close();
    }

    // SIGTERM: graceful shutdown, exit code 0.
    restarted.kill("SIGTERM");
    expect(await restarted.exited).toEqual({ code: 0, signal: null });
  });
});
