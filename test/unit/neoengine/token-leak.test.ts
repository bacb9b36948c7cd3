// The bearer token must never appear in anything the client exposes: its string / JSON /
// inspect forms, any error (message, JSON, inspect, stack), or the metrics hook's events.

import { inspect } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { NeoEngineClient, NeoEngineError } from "../../../src/neoengine/index.js";
import { testClient, TEST_TOKEN } from "./helpers/client.js";
import type { ScriptedServer } from "./helpers/scripted-server.js";
import { closedPort, startScriptedServer } from "./helpers/scripted-server.js";

function everyRendering(value: unknown): string {
  const parts = [
    String(value),
    JSON.stringify(value) ?? "",
    inspect(value, { depth: 10, showHidden: true, getters: true }),
  ];
  if (value instanceof Error) parts.push(value.message, value.stack ?? "", JSON.stringify({ ...value }));
  return parts.join("\n");
}

async function errorOf(p: Promise<unknown>): Promise<NeoEngineError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(NeoEngineError);
    return e as NeoEngineError;
  }
  throw new Error("expected an error");
}

let server: ScriptedServer;
beforeEach(async () => {
  server = await startScriptedServer();
});
afterEach(async () => {
  await server.close();
});

describe("the token never leaks", () => {
  it("is not in the client's string, JSON or inspect output", async () => {
    const { client } = testClient(server.url);
    const rendered = everyRendering(client) + everyRendering({ nested: { client } }) + Object.keys(client).join(",");
    expect(rendered).toContain(server.url); // the renderings are real, they show the base URL
    expect(rendered).not.toContain(TEST_TOKEN);
    await client.close();
  });

  it("is not in errors from the server, the network, timeouts or bad responses", async () => {
    const { client, events } = testClient(server.url, { timeouts: { headersMs: 100 }, retry: { maxAttempts: 1 } });
    // Servers sometimes echo request headers back; the client must not copy them into errors.
    const errors: NeoEngineError[] = [];
    server.script({ status: 401, body: { error: { code: "UNAUTHORIZED", message: "invalid token" } } });
    errors.push(await errorOf(client.getJob("job_1")));
    server.script({ status: 200, body: { id: 1 } });
    errors.push(await errorOf(client.getJob("job_1")));
    server.script({ drop: true });
    errors.push(await errorOf(client.getJob("job_1")));
    server.script({ hang: true });
    errors.push(await errorOf(client.getJob("job_1")));
    const port = await closedPort();
    const offline = testClient(`http://127.0.0.1:${port}/v1`, { retry: { maxAttempts: 1 } });
    errors.push(await errorOf(offline.client.getJob("job_1")));
    expect(errors.map((e) => e.code)).toEqual(["UNAUTHORIZED", "INVALID_RESPONSE", "NETWORK_ERROR", "TIMEOUT", "NETWORK_ERROR"]);
    for (const e of errors) expect(everyRendering(e)).not.toContain(TEST_TOKEN);
    expect(JSON.stringify(events)).not.toContain(TEST_TOKEN);
    expect(events.length).toBeGreaterThanOrEqual(4);
    await client.close();
    await offline.client.close();
  });

  it("is blanked out of an error body that echoes it (a misbehaving peer or proxy)", async () => {
    const { client } = testClient(server.url, { retry: { maxAttempts: 1 } });
    server.script({ status: 401, body: { error: { code: "UNAUTHORIZED", message: `token Bearer ${TEST_TOKEN} is invalid`, details: { token: TEST_TOKEN } } } });
    const envelope = await errorOf(client.getJob("job_1"));
    server.script({ status: 502, body: `<html>upstream rejected Authorization: Bearer ${TEST_TOKEN}</html>` });
    const raw = await errorOf(client.getJob("job_1"));
    for (const e of [envelope, raw]) {
      expect(everyRendering(e)).not.toContain(TEST_TOKEN);
      expect(e.message).toContain("[REDACTED]");
    }
    expect(envelope.details).toEqual({ token: "[REDACTED]" });
    await client.close();
  });

  it("a token that cannot be sent is rejected without being echoed", async () => {
    const bad = `${TEST_TOKEN}\r\nX-Injected: 1`;
    let thrown: unknown;
    try {
      new NeoEngineClient({ baseUrl: server.url, token: bad });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(TypeError);
    expect(everyRendering(thrown)).not.toContain(TEST_TOKEN);

    const rotating = testClient(server.url, { token: () => bad, retry: { maxAttempts: 1 } });
    let rotated: unknown;
    try {
      await rotating.client.getJob("job_1");
    } catch (e) {
      rotated = e;
    }
    expect(rotated).toBeInstanceOf(TypeError);
    expect(everyRendering(rotated)).not.toContain(TEST_TOKEN);
    expect(server.requests).toHaveLength(0);
    await rotating.client.close();
  });

  it("baseUrl with credentials is refused (they would travel in logs of the URL)", () => {
    expect(() => new NeoEngineClient({ baseUrl: "http://user:pw@127.0.0.1:1/v1", token: TEST_TOKEN })).toThrow(/credentials/);
  });
});
