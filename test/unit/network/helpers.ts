import { request } from "undici";
import { pino } from "pino";
import { expect } from "vitest";
import { ErrorEnvelopeSchema } from "../../../src/neoengine/wire.js";
import { startNetworkServer, type NetworkServer, type NetworkServerOptions } from "../../../src/network/index.js";

export const T0 = Date.parse("2026-01-15T12:00:00Z");

/** A hand-driven clock: tests move time explicitly, nothing sleeps. */
export class FakeClock {
  constructor(public t = T0) {}
  now = (): number => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
}

export interface Res<T = unknown> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: T;
  text: string;
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  /** Sent as is (string body) instead of JSON.stringify(body). */
  raw?: string | Buffer;
  contentType?: string;
  headers?: Record<string, string>;
}

// Response bodies are whatever JSON the server sent; tests assert on them field by field.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function call<T = any>(server: NetworkServer, method: string, path: string, o: CallOptions = {}): Promise<Res<T>> {
  const headers: Record<string, string> = { ...(o.headers ?? {}) };
  if (o.token !== undefined) headers.authorization = `Bearer ${o.token}`;
  let body: string | Buffer | undefined;
  if (o.raw !== undefined) body = o.raw;
  else if (o.body !== undefined) body = JSON.stringify(o.body);
  if (body !== undefined) headers["content-type"] = o.contentType ?? "application/json";
  const res = await request(`${server.url}${path}`, { method: method as "GET", headers, body });
  const text = await res.body.text();
  let parsed: unknown = text;
  if (String(res.headers["content-type"] ?? "").includes("application/json") && text !== "") parsed = JSON.parse(text);
  return { status: res.statusCode, headers: res.headers, body: parsed as T, text };
}

/** Asserts the seed's error envelope with the given status and code; returns the error. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function expectError(res: Res, status: number, code: string): { code: string; message: string; details?: any } {
  expect(res.status, res.text).toBe(status);
  const parsed = ErrorEnvelopeSchema.safeParse(res.body);
  expect(parsed.success, res.text).toBe(true);
  const err = (res.body as { error: { code: string; message: string; details?: unknown } }).error;
  expect(err.code).toBe(code);
  expect(typeof err.message).toBe("string");
  expect(err.message.length).toBeGreaterThan(0);
  return err;
}

export const seedJob = () => ({
  image: "python:3.11-slim",
  command: ["python", "-c", "print('Hello')"],
  resources: { cpu: 2, memory: "4Gi", gpu: 0 },
  maxPrice: "1.0",
  timeout: "1h",
});

export const gpuProvider = (name = "node-1", over: Record<string, unknown> = {}) => ({
  name,
  region: "eu-west",
  resources: { cpu: 32, memory: "256Gi", gpu: 4, gpuModel: "nvidia-a100", gpuMemory: "80Gi" },
  prices: { cpu: "0.02", memory: "0.01", gpu: "0.75" },
  ...over,
});

export interface TestNetwork {
  server: NetworkServer;
  clock: FakeClock;
  /** consumer tokens */
  alice: string;
  bob: string;
  /** provider token of account "acme" */
  acme: string;
  close(): Promise<void>;
}

/**
 * A server on 127.0.0.1:0 with a fake clock and no background scheduling (tests call
 * admin.runScheduler()), plus accounts alice/bob (pro, 1000 credits) and provider acme.
 */
export async function startTestNetwork(options: NetworkServerOptions = {}): Promise<TestNetwork> {
  const clock = new FakeClock();
  const server = await startNetworkServer({
    now: clock.now,
    schedulerIntervalMs: 0,
    scheduleOnEvents: false,
    logger: pino({ level: "silent" }),
    ...options,
  });
  await server.admin.createAccount("alice", "pro", "1000");
  await server.admin.createAccount("bob", "pro", "1000");
  await server.admin.createAccount("acme", "pro", "0");
  return {
    server,
    clock,
    alice: await server.admin.createToken("alice"),
    bob: await server.admin.createToken("bob"),
    acme: await server.admin.createToken("acme", { provider: true }),
    close: () => server.close(),
  };
}

/** Registers a provider for `token` and returns its id. */
export async function registerProvider(server: NetworkServer, token: string, body = gpuProvider()): Promise<string> {
  const res = await call(server, "POST", "/v1/providers", { token, body });
  expect([200, 201], res.text).toContain(res.status);
  return (res.body as { id: string }).id;
}

/** Submits a job and returns its id. */
export async function submit(server: NetworkServer, token: string, body: unknown = seedJob()): Promise<string> {
  const res = await call(server, "POST", "/v1/jobs", { token, body });
  expect(res.status, res.text).toBe(201);
  return (res.body as { id: string }).id;
}
