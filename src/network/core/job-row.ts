import { formatMicroCredits, formatQuantityBytes, type Job, type JobStatus } from "../../neoengine/wire.js";
import { iso } from "./context.js";

/** A row of the jobs table. */
export interface JobRow {
  id: string;
  /** Submission order (monotonic); orders lists, cursors and the scheduler queue. */
  seq: number;
  account_id: string;
  status: JobStatus;
  image: string;
  command: string;
  args: string;
  env: string;
  cpu_milli: number;
  memory_bytes: number;
  memory: string;
  gpu: number;
  gpu_model: string | null;
  max_price: number;
  timeout: string;
  timeout_ms: number;
  placement: string | null;
  provider_id: string | null;
  price: number | null;
  escrow: number;
  cost: number | null;
  progress: number;
  exit_code: number | null;
  message: string | null;
  attempts: number;
  results: string | null;
  log_bytes: number;
  log_seq: number;
  created_at: number;
  scheduled_at: number | null;
  started_at: number | null;
  finished_at: number | null;
}

export function jobToWire(r: JobRow): Job {
  const placement = r.placement ? (JSON.parse(r.placement) as Job["placement"]) : null;
  return {
    id: r.id,
    status: r.status,
    provider: r.provider_id,
    createdAt: iso(r.created_at) as string,
    scheduledAt: iso(r.scheduled_at),
    startedAt: iso(r.started_at),
    finishedAt: iso(r.finished_at),
    progress: Number(r.progress),
    image: r.image,
    command: JSON.parse(r.command) as string[],
    args: JSON.parse(r.args) as string[],
    env: JSON.parse(r.env) as Record<string, string>,
    resources: { cpu: Number(r.cpu_milli) / 1000, memory: r.memory, gpu: Number(r.gpu), gpuModel: r.gpu_model },
    maxPrice: formatMicroCredits(Number(r.max_price)),
    timeout: r.timeout,
    placement,
    price: r.price === null ? null : formatMicroCredits(Number(r.price)),
    cost: r.cost === null ? null : formatMicroCredits(Number(r.cost)),
    exitCode: r.exit_code === null ? null : Number(r.exit_code),
    message: r.message,
    attempts: Number(r.attempts),
  };
}

export { formatQuantityBytes };
