// A tiny HTTP peer on 127.0.0.1 that answers from a script: used where the reference network
// server cannot be made to misbehave (5xx, dropped connections, hangs, odd headers).

import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export type ScriptedReply =
  | {
      status: number;
      headers?: Record<string, string>;
      body?: unknown;
      /** Streamed one by one; then the response ends, stays open ("open") or the socket is cut ("cut"). */
      chunks?: string[];
      after?: "end" | "open" | "cut";
    }
  | { drop: true }
  | { hang: true };

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

export interface ScriptedServer {
  url: string;
  requests: RecordedRequest[];
  /** Replies used in order; the last one repeats when the script runs out. */
  script(...replies: ScriptedReply[]): void;
  /** Connections currently open. */
  openSockets(): number;
  close(): Promise<void>;
}

export async function startScriptedServer(): Promise<ScriptedServer> {
  let replies: ScriptedReply[] = [{ status: 200, body: {} }];
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const parts: Buffer[] = [];
    req.on("data", (c: Buffer) => parts.push(c));
    req.on("end", () => {
      requests.push({
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(parts).toString("utf8"),
      });
      const reply = (replies.length > 1 ? replies.shift() : replies[0]) as ScriptedReply;
      if ("drop" in reply) {
        req.socket.destroy();
        return;
      }
      if ("hang" in reply) return;
      const headers: Record<string, string> = { ...reply.headers };
      if (reply.chunks) {
        res.writeHead(reply.status, { "content-type": "text/plain", ...headers });
        void (async () => {
          for (const chunk of reply.chunks ?? []) {
            res.write(chunk);
            await new Promise((r) => setImmediate(r));
          }
          if (reply.after === "open") return;
          if (reply.after === "cut") req.socket.destroy();
          else res.end();
        })();
        return;
      }
      const body =
        reply.body === undefined ? "" : typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body);
      if (typeof reply.body === "object") headers["content-type"] ??= "application/json";
      res.writeHead(reply.status, headers);
      res.end(body);
    });
  });
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    script(...next) {
      replies = next;
    },
    openSockets: () => sockets.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port on 127.0.0.1 with nothing listening (connection refused). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A fake clock whose sleep advances time instantly and records every requested delay. */
export function fakeTime(start = Date.UTC(2026, 0, 15, 12, 0, 0)) {
  let now = start;
  const sleeps: number[] = [];
  return {
    clock: { now: () => now },
    sleep: async (ms: number, signal?: AbortSignal) => {
      if (signal?.aborted) throw signal.reason;
      sleeps.push(ms);
      now += ms;
    },
    sleeps,
    advance(ms: number) {
      now += ms;
    },
    get now() {
      return now;
    },
  };
}
