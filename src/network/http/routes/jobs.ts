import { PassThrough } from "node:stream";
import {
  ErrorEnvelopeSchema,
  IDEMPOTENCY_KEY_HEADER,
  IDEMPOTENT_REPLAYED_HEADER,
  JobLogsQuerySchema,
  JobResultsSchema,
  JobSchema,
  ListJobsQuerySchema,
  ListJobsResponseSchema,
  SubmitJobRequestSchema,
  SubmitJobResponseSchema,
  isTerminalJobStatus,
} from "../../../neoengine/wire.js";
import type { NetworkContext } from "../../core/context.js";
import { invalid } from "../../core/errors.js";
import { cancelJob, getJob, getResults, jobStatusOf, listJobs, readLogChunks, readLogs, submitJob } from "../../core/jobs.js";
import { paramOf, parseWith, principalOf, type RouteDef } from "../route.js";
import type { Live } from "../live.js";

const IDEMPOTENCY_KEY_RE = /^[\x21-\x7e]{1,255}$/;
const errors = (description: string) => ({ description, schema: ErrorEnvelopeSchema });

export function jobRoutes(ctx: NetworkContext, live: Live): RouteDef[] {
  return [
    {
      method: "POST",
      url: "/v1/jobs",
      role: "consumer",
      summary: "Submit Job",
      description:
        "Holds maxPrice × timeout in escrow and queues the job. Honours an Idempotency-Key header for 24 h (extension).",
      body: SubmitJobRequestSchema,
      headers: [{ name: "Idempotency-Key", description: "Extension: same key and body within 24 h return the same job; another body is 409." }],
      responses: {
        201: { description: "Job accepted", schema: SubmitJobResponseSchema },
        200: { description: "Replay of an earlier request with the same Idempotency-Key", schema: SubmitJobResponseSchema },
        400: errors("Invalid parameters"),
        402: errors("Balance cannot cover maxPrice × timeout"),
        409: errors("Idempotency-Key reused with another body"),
      },
      handler: async (req, reply) => {
        const principal = principalOf(req);
        const rawKey = req.headers[IDEMPOTENCY_KEY_HEADER];
        if (rawKey !== undefined && (typeof rawKey !== "string" || !IDEMPOTENCY_KEY_RE.test(rawKey))) {
          throw invalid("Idempotency-Key", rawKey, "Idempotency-Key must be 1-255 visible ASCII characters");
        }
        const body = parseWith(SubmitJobRequestSchema, req.body, "body");
        const { response, replayed } = await submitJob(ctx, principal, body, rawKey);
        if (replayed) reply.header(IDEMPOTENT_REPLAYED_HEADER, "true");
        return reply.code(replayed ? 200 : 201).send(response);
      },
    },
    {
      method: "GET",
      url: "/v1/jobs",
      role: "consumer",
      summary: "List Jobs",
      description: "Newest first. status may be a comma-separated list; follow nextCursor for the next page.",
      query: ListJobsQuerySchema,
      responses: { 200: { description: "A page of jobs", schema: ListJobsResponseSchema }, 400: errors("Invalid parameters") },
      handler: async (req) => listJobs(ctx, principalOf(req), parseWith(ListJobsQuerySchema, req.query, "query")),
    },
    {
      method: "GET",
      url: "/v1/jobs/:jobId",
      role: "consumer",
      summary: "Get Job Status",
      responses: { 200: { description: "The job", schema: JobSchema }, 404: errors("No such job for this account") },
      handler: async (req) => getJob(ctx, principalOf(req), paramOf(req, "jobId")),
    },
    {
      method: "POST",
      url: "/v1/jobs/:jobId/cancel",
      role: "consumer",
      summary: "Cancel Job",
      description: "Ends a live job: the runtime so far is charged, the rest of the escrow released. A finished job is 409.",
      responses: { 200: { description: "The cancelled job", schema: JobSchema }, 404: errors("No such job"), 409: errors("Job already finished") },
      handler: async (req) => cancelJob(ctx, principalOf(req), paramOf(req, "jobId")),
    },
    {
      method: "GET",
      url: "/v1/jobs/:jobId/results",
      role: "consumer",
      summary: "Get Job Results",
      responses: { 200: { description: "Results", schema: JobResultsSchema }, 404: errors("No such job"), 409: errors("Job not finished yet") },
      handler: async (req) => getResults(ctx, principalOf(req), paramOf(req, "jobId")),
    },
    {
      method: "GET",
      url: "/v1/jobs/:jobId/logs",
      role: "consumer",
      summary: "Get Job Logs",
      description: "text/plain. ?tail=N returns the last N lines; ?follow=true keeps the response open and streams new output until the job ends.",
      query: JobLogsQuerySchema,
      responses: { 200: { description: "Log text", contentType: "text/plain" }, 404: errors("No such job") },
      handler: async (req, reply) => {
        const principal = principalOf(req);
        const jobId = paramOf(req, "jobId");
        const query = parseWith(JobLogsQuerySchema, req.query, "query");
        const { job, text, lastSeq } = await readLogs(ctx, principal, jobId, query.tail);
        reply.type("text/plain; charset=utf-8");
        if (!query.follow || isTerminalJobStatus(job.status)) return reply.send(text);
        return reply.send(followLogs(ctx, live, jobId, text, lastSeq, reply.raw));
      },
    },
  ];
}

/** A stream of the log text so far plus everything appended until the job ends. */
function followLogs(
  ctx: NetworkContext,
  live: Live,
  jobId: string,
  initial: string,
  initialSeq: number,
  res: NodeJS.EventEmitter,
): PassThrough {
  const out = new PassThrough();
  let seq = initialSeq;
  let pumping = false;
  let again = false;
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    unsubscribe();
    clearInterval(safety);
    live.off(end);
    out.end();
  };
  // Reads new chunks and checks for the end; serialised so chunks are never written twice.
  const pump = async (): Promise<void> => {
    if (pumping) {
      again = true;
      return;
    }
    pumping = true;
    try {
      do {
        again = false;
        for (const c of await readLogChunks(ctx.db, jobId, seq)) {
          seq = Number(c.seq);
          if (!ended) out.write(c.data);
        }
        const status = await jobStatusOf(ctx, jobId);
        if (status === undefined || isTerminalJobStatus(status)) end();
      } while (again && !ended);
    } catch (err) {
      ctx.log.warn({ err, jobId }, "log follow failed");
      end();
    } finally {
      pumping = false;
    }
  };
  const unsubscribe = ctx.bus.onJob(jobId, () => void pump());
  // Safety net for ends that happen without a notification reaching this process.
  const safety = setInterval(() => void pump(), 1000);
  safety.unref();
  live.on(end);
  res.once("close", end);
  if (initial !== "") out.write(initial);
  void pump();
  return out;
}
