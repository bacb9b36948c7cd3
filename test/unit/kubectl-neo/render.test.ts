// Rendering: progress bars, ages, kubectl-style tables, NeoJob rows and the live redraw.
import { describe, expect, it } from "vitest";
import type { NeoJob } from "../../../src/api/index.js";
import { age, humanDuration } from "../../../src/cli/kubectl-neo/render/age.js";
import { credits } from "../../../src/cli/kubectl-neo/render/format.js";
import { LiveRegion } from "../../../src/cli/kubectl-neo/render/live.js";
import { phaseOf, renderNeoJobTable, statusLine } from "../../../src/cli/kubectl-neo/render/neojobs.js";
import { progressBar } from "../../../src/cli/kubectl-neo/render/progress-bar.js";
import { renderTable } from "../../../src/cli/kubectl-neo/render/table.js";
import { renderPrices } from "../../../src/cli/kubectl-neo/commands/market.js";

const NOW = Date.parse("2026-01-15T12:10:00Z");

function job(name: string, status: NeoJob["status"], extra: Partial<NeoJob["spec"]> = {}, namespace = "team-a"): NeoJob {
  return {
    apiVersion: "neoengine.dev/v1alpha1",
    kind: "NeoJob",
    metadata: { name, namespace, creationTimestamp: "2026-01-15T12:00:00Z" },
    spec: {
      image: "python:3.11-slim",
      resources: { cpu: 1, memory: "1Gi", gpu: 0 },
      maxPrice: "1.0",
      timeout: "1h",
      suspend: false,
      backoffLimit: 0,
      deletionPolicy: "Cancel",
      ...extra,
    },
    status,
  };
}

describe("progress bar", () => {
  it.each([
    [0, "[----------]   0%"],
    [45, "[####------]  45%"],
    [100, "[##########] 100%"],
    [140, "[##########] 100%"],
    [-3, "[----------]   0%"],
    [undefined, "[----------]  n/a"],
  ])("%s → %s", (p, bar) => expect(progressBar(p)).toBe(bar));
});

describe("ages and credits", () => {
  it.each([
    [0, "0s"],
    [59_000, "59s"],
    [119_000, "119s"],
    [125_000, "2m5s"],
    [600_000, "10m"],
    [3 * 3600_000 + 5 * 60_000, "3h5m"],
    [30 * 3600_000, "30h"],
    [3 * 86400_000 + 2 * 3600_000, "3d2h"],
    [400 * 86400_000, "400d"],
  ])("%d ms → %s", (ms, text) => expect(humanDuration(ms)).toBe(text));

  it("age of a timestamp, and of none", () => {
    expect(age("2026-01-15T12:00:00Z", NOW)).toBe("10m");
    expect(age(undefined, NOW)).toBe("<unknown>");
    expect(age("yesterday", NOW)).toBe("<unknown>");
  });

  it("credits drop the network's trailing zeros only", () => {
    expect(credits("0.750000")).toBe("0.75");
    expect(credits("2.000000")).toBe("2");
    expect(credits("12")).toBe("12");
    expect(credits("n/a")).toBe("n/a");
  });
});

describe("tables", () => {
  it("pads columns to the widest cell with three spaces and no trailing blanks", () => {
    expect(renderTable(["NAME", "PHASE"], [["a", "Running"], ["long-name", ""]])).toBe(
      "NAME        PHASE\na           Running\nlong-name\n",
    );
  });

  it("NeoJob rows: phase, progress bar, provider, cost, age; -A adds NAMESPACE, wide adds JOB-ID and more", () => {
    const jobs = [
      job("train", { phase: "Running", progress: 40, provider: "prov_x", jobId: "job_1" }, { resources: { cpu: 1, memory: "1Gi", gpu: 2, gpuModel: "nvidia-a100" } }),
      job("hello", { phase: "Succeeded", provider: "prov_y", cost: "0.04", jobId: "job_2" }),
      job("new", undefined),
    ];
    const table = renderNeoJobTable(jobs, { wide: false, showNamespace: false, now: NOW });
    expect(table.split("\n").map((l) => l.split(/\s{3,}/))).toEqual([
      ["NAME", "PHASE", "PROGRESS", "PROVIDER", "COST", "AGE"],
      ["hello", "Succeeded", "[##########] 100%", "prov_y", "0.04", "10m"],
      ["new", "Pending", "[----------]  n/a", "-", "-", "10m"],
      ["train", "Running", "[####------]  40%", "prov_x", "-", "10m"],
      [""],
    ]);
    const wide = renderNeoJobTable(jobs, { wide: true, showNamespace: true, now: NOW }).split("\n");
    expect(wide[0]!.split(/\s{3,}/)).toEqual(["NAMESPACE", "NAME", "PHASE", "PROGRESS", "PROVIDER", "COST", "AGE", "JOB-ID", "IMAGE", "GPU", "MAX-PRICE", "MESSAGE"]);
    expect(wide[3]!.split(/\s{3,}/)).toEqual(["team-a", "train", "Running", "[####------]  40%", "prov_x", "-", "10m", "job_1", "python:3.11-slim", "2xnvidia-a100", "1.0", "-"]);
  });

  it("suspended and deleting NeoJobs say so", () => {
    expect(phaseOf(job("s", { phase: "Submitted" }, { suspend: true }))).toBe("Suspended");
    const deleting = job("d", { phase: "Running" });
    deleting.metadata.deletionTimestamp = "2026-01-15T12:09:00Z";
    expect(phaseOf(deleting)).toBe("Deleting");
  });

  it("status line for run", () => {
    expect(statusLine(job("hello", { phase: "Running", progress: 70, provider: "prov_y" }), NOW)).toBe(
      "neojob/hello  Running    [#######---]  70%  provider prov_y  10m",
    );
  });

  it("prices with no online provider say so", () => {
    expect(renderPrices({ gpu: {} })).toBe("No offers: no provider is online.\n");
  });
});

describe("live region", () => {
  it("redraws in place: moves up over the previous frame and clears it", () => {
    let written = "";
    const region = new LiveRegion({ write: (s: string) => (written += s), isTTY: true, columns: 20 });
    region.draw("line one\nline two\n");
    expect(written).toBe("line one\nline two\n");
    written = "";
    region.draw("only line");
    expect(written).toBe("\x1b[2A\r\x1b[Jonly line\n");
    written = "";
    region.printAbove("Running on prov_x", "a very long status line that does not fit");
    // The frame is cleared, the message stays, the new frame is cut to the terminal width.
    expect(written).toBe("\x1b[1A\r\x1b[JRunning on prov_x\na very long status \n");
    region.done();
    written = "";
    region.draw("after");
    expect(written).toBe("after\n");
  });
});
