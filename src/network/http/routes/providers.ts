import {
  AssignmentsQuerySchema,
  AssignmentsResponseSchema,
  ErrorEnvelopeSchema,
  HeartbeatRequestSchema,
  HeartbeatResponseSchema,
  JobEventRequestSchema,
  JobResultsSchema,
  JobSchema,
  ListProvidersQuerySchema,
  ListProvidersResponseSchema,
  LogsAppendRequestSchema,
  LogsAppendResponseSchema,
  ProviderSchema,
  PutResultsRequestSchema,
  RegisterProviderRequestSchema,
} from "../../../neoengine/wire.js";
import type { NetworkContext } from "../../core/context.js";
import { appendLogs, putResults, reportEvent } from "../../core/jobs.js";
import { deregisterProvider, getProvider, heartbeat, listProviders, pollAssignments, registerProvider } from "../../core/providers.js";
import type { Live } from "../live.js";
import { paramOf, parseWith, principalOf, type RouteDef } from "../route.js";

const errors = (description: string) => ({ description, schema: ErrorEnvelopeSchema });

export function providerRoutes(ctx: NetworkContext, live: Live): RouteDef[] {
  return [
    {
      method: "GET",
      url: "/v1/providers",
      role: "any",
      summary: "List Providers",
      description: "Filters: gpu=true|false, minReputation, gpuModel, online=true|false (extension); cursor pagination by nextCursor.",
      query: ListProvidersQuerySchema,
      responses: { 200: { description: "A page of providers", schema: ListProvidersResponseSchema }, 400: errors("Invalid parameters") },
      handler: async (req) => listProviders(ctx, parseWith(ListProvidersQuerySchema, req.query, "query")),
    },
    {
      method: "GET",
      url: "/v1/providers/:providerId",
      role: "any",
      summary: "Get Provider Details",
      responses: { 200: { description: "The provider", schema: ProviderSchema }, 404: errors("No such provider") },
      handler: async (req) => getProvider(ctx, paramOf(req, "providerId")),
    },
    // ---- provider protocol (extension) ----
    {
      method: "POST",
      url: "/v1/providers",
      role: "provider",
      extension: true,
      summary: "Register Provider",
      description: "Registers a provider (201), or updates and re-registers the account's provider of the same name (200). Counts as a heartbeat.",
      body: RegisterProviderRequestSchema,
      responses: {
        201: { description: "Registered", schema: ProviderSchema },
        200: { description: "Existing provider of this name updated", schema: ProviderSchema },
        400: errors("Invalid parameters"),
      },
      handler: async (req, reply) => {
        const { provider, created } = await registerProvider(ctx, principalOf(req), parseWith(RegisterProviderRequestSchema, req.body, "body"));
        return reply.code(created ? 201 : 200).send(provider);
      },
    },
    {
      method: "DELETE",
      url: "/v1/providers/:providerId",
      role: "provider",
      extension: true,
      summary: "Deregister Provider",
      description: "Scheduled jobs go back to pending; running jobs fail as abandoned (not charged).",
      responses: { 200: { description: "The deregistered provider", schema: ProviderSchema }, 404: errors("No such provider of this account") },
      handler: async (req) => deregisterProvider(ctx, principalOf(req), paramOf(req, "providerId")),
    },
    {
      method: "POST",
      url: "/v1/providers/:providerId/heartbeat",
      role: "provider",
      extension: true,
      summary: "Provider Heartbeat",
      description: "Marks the provider online and optionally reports its free capacity.",
      body: HeartbeatRequestSchema,
      responses: { 200: { description: "Acknowledged", schema: HeartbeatResponseSchema }, 404: errors("No such provider of this account") },
      handler: async (req) =>
        heartbeat(ctx, principalOf(req), paramOf(req, "providerId"), parseWith(HeartbeatRequestSchema, req.body ?? {}, "body")),
    },
    {
      method: "GET",
      url: "/v1/providers/:providerId/assignments",
      role: "provider",
      extension: true,
      summary: "Get Assignments (long poll)",
      description:
        "All jobs the network wants this provider to run (scheduled or running). With since=<version>: returns when version changes; without: when a job waits to be started; else after wait seconds.",
      query: AssignmentsQuerySchema,
      responses: { 200: { description: "Assignments", schema: AssignmentsResponseSchema }, 404: errors("No such provider of this account") },
      handler: async (req, reply) => {
        const q = parseWith(AssignmentsQuerySchema, req.query, "query");
        const closed = new AbortController();
        reply.raw.once("close", () => closed.abort());
        const signal = AbortSignal.any([closed.signal, live.controller.signal]);
        return pollAssignments(ctx, principalOf(req), paramOf(req, "providerId"), q.since, q.wait ?? ctx.config.defaultAssignmentWaitSeconds, signal);
      },
    },
    {
      method: "POST",
      url: "/v1/jobs/:jobId/events",
      role: "provider",
      extension: true,
      summary: "Report Job Event",
      description: "Status (running, succeeded, failed, timed_out), progress 0-100, message, exitCode. Answers the job.",
      body: JobEventRequestSchema,
      responses: {
        200: { description: "The job after the event", schema: JobSchema },
        404: errors("Job not assigned to this provider account"),
        409: errors("Job already finished"),
      },
      handler: async (req) => reportEvent(ctx, principalOf(req), paramOf(req, "jobId"), parseWith(JobEventRequestSchema, req.body, "body")),
    },
    {
      method: "POST",
      url: "/v1/jobs/:jobId/logs",
      role: "provider",
      extension: true,
      summary: "Append Job Logs",
      description: "Body text/plain (appended as is) or JSON {\"data\": \"...\"}.",
      body: LogsAppendRequestSchema,
      bodyContentTypes: ["text/plain", "application/json"],
      responses: { 200: { description: "Appended", schema: LogsAppendResponseSchema }, 404: errors("Job not assigned to this provider account") },
      handler: async (req) => {
        const data = typeof req.body === "string" ? req.body : parseWith(LogsAppendRequestSchema, req.body, "body").data;
        return appendLogs(ctx, principalOf(req), paramOf(req, "jobId"), data);
      },
    },
    {
      method: "PUT",
      url: "/v1/jobs/:jobId/results",
      role: "provider",
      extension: true,
      summary: "Put Job Results",
      description: "Stores exit code, message and outputs; finishes a live job (exitCode 0 → succeeded, else failed).",
      body: PutResultsRequestSchema,
      responses: { 200: { description: "The stored results", schema: JobResultsSchema }, 404: errors("Job not assigned to this provider account") },
      handler: async (req) => putResults(ctx, principalOf(req), paramOf(req, "jobId"), parseWith(PutResultsRequestSchema, req.body, "body")),
    },
  ];
}
