import { parseNeoJob, type NeoJob } from "../../../../src/api/index.js";
import type { NeoJobWriter, RemoteSession, SessionResolver } from "../../../../src/controllers/neojob/types.js";
import { KubeApiError } from "../../../../src/kube/index.js";
import { NeoEngineError, type Job, type JobResults, type SubmitJobRequest, type SubmitJobResponse } from "../../../../src/neoengine/index.js";

// Plain-object stand-ins for the reconciler's ports: an in-memory "apiserver" for one NeoJob and
// an in-memory network session. No cluster, no HTTP.

export function makeJob(overrides: { spec?: Record<string, unknown>; status?: Record<string, unknown>; metadata?: Record<string, unknown> } = {}): NeoJob {
  return parseNeoJob({
    apiVersion: "neoengine.dev/v1alpha1",
    kind: "NeoJob",
    metadata: { name: "hello", namespace: "ns", uid: "uid-1", resourceVersion: "1", generation: 1, ...overrides.metadata },
    spec: { image: "python:3.11-slim", command: ["python", "-c", "print('Hello')"], resources: { cpu: 2, memory: "4Gi" }, maxPrice: "1.0", timeout: "1h", ...overrides.spec },
    ...(overrides.status ? { status: overrides.status } : {}),
  });
}

export type Call = { op: string; arg?: unknown };

export class FakeWriter implements NeoJobWriter {
  calls: Call[] = [];
  events: Array<{ type: string; reason: string; message: string }> = [];
  configMaps = new Map<string, Record<string, string>>();
  deleted = false;
  constructor(public current: NeoJob) {}

  /** Like the apiserver: a write carrying an old resourceVersion is a 409. */
  private precondition(job: NeoJob): void {
    if (job.metadata.resourceVersion !== this.current.metadata.resourceVersion) {
      this.calls.push({ op: "conflict" });
      throw new KubeApiError(409, "Conflict", "the object has been modified");
    }
  }
  private bump(): void {
    this.current.metadata.resourceVersion = String(Number(this.current.metadata.resourceVersion ?? "0") + 1);
  }
  async patchStatus(job: NeoJob, patch: Record<string, unknown>): Promise<NeoJob> {
    this.precondition(job);
    this.calls.push({ op: "patchStatus", arg: structuredClone(patch) });
    const status: Record<string, unknown> = { ...(this.current.status ?? {}) };
    for (const [k, v] of Object.entries(patch)) {
      if (v === null) delete status[k];
      else status[k] = v;
    }
    this.current = { ...this.current, status };
    this.bump();
    return structuredClone(this.current);
  }
  async setFinalizers(job: NeoJob, finalizers: string[]): Promise<NeoJob> {
    this.precondition(job);
    this.calls.push({ op: "setFinalizers", arg: finalizers });
    this.current = { ...this.current, metadata: { ...this.current.metadata, finalizers } };
    this.bump();
    return structuredClone(this.current);
  }
  async deleteJob(): Promise<void> {
    this.calls.push({ op: "deleteJob" });
    this.deleted = true;
  }
  async writeConfigMap(_job: NeoJob, name: string, data: Record<string, string>): Promise<void> {
    this.calls.push({ op: "writeConfigMap", arg: name });
    this.configMaps.set(name, data);
  }
  async event(_job: NeoJob, type: string, reason: string, message: string): Promise<void> {
    this.events.push({ type, reason, message });
  }
  /** The object as the "apiserver" has it now (what the next reconcile reads). */
  read(): NeoJob {
    return structuredClone(this.current);
  }
}

export class FakeSession implements RemoteSession, SessionResolver {
  readonly credential = "default";
  jobs = new Map<string, Job>();
  byKey = new Map<string, string>();
  observedJobs = new Map<string, Job>();
  tracked = new Map<string, string>();
  calls: Call[] = [];
  submitError: NeoEngineError | undefined;
  results_: JobResults | undefined;
  private next = 1;

  async sessionFor(): Promise<RemoteSession> {
    return this;
  }
  async submit(request: SubmitJobRequest, key: string): Promise<SubmitJobResponse> {
    this.calls.push({ op: "submit", arg: key });
    if (this.submitError) throw this.submitError;
    const existing = this.byKey.get(key);
    const id = existing ?? `job_${this.next++}`;
    if (!existing) {
      this.byKey.set(key, id);
      this.jobs.set(id, { id, status: "pending", createdAt: "2026-01-15T12:00:00Z", image: request.image });
    }
    return { id, status: "pending", createdAt: "2026-01-15T12:00:00Z" };
  }
  async get(jobId: string): Promise<Job> {
    this.calls.push({ op: "get", arg: jobId });
    const job = this.jobs.get(jobId);
    if (!job) throw new NeoEngineError({ status: 404, code: "NOT_FOUND", message: `job ${jobId} not found`, retryable: false });
    return job;
  }
  async cancel(jobId: string): Promise<Job> {
    this.calls.push({ op: "cancel", arg: jobId });
    const job = { ...(await this.get(jobId)), status: "cancelled" as const };
    this.jobs.set(jobId, job);
    return job;
  }
  async results(jobId: string): Promise<JobResults> {
    this.calls.push({ op: "results", arg: jobId });
    if (!this.results_) throw new NeoEngineError({ status: 409, code: "CONFLICT", message: "not finished", retryable: false });
    return this.results_;
  }
  observed(jobId: string): Job | undefined {
    return this.observedJobs.get(jobId);
  }
  remember(job: Job): void {
    this.observedJobs.set(job.id, { ...this.observedJobs.get(job.id), ...job });
  }
  /** What the poller would report after the provider moved the job. */
  setRemote(job: Job): void {
    this.jobs.set(job.id, job);
    this.observedJobs.set(job.id, job);
  }
  track(jobId: string, key: string): void {
    this.tracked.set(jobId, key);
  }
  untrack(jobId: string): void {
    this.tracked.delete(jobId);
  }
  count(op: string): number {
    return this.calls.filter((c) => c.op === op).length;
  }
}
