import type { NeoEngineClientOptions, RequestEvent } from "../../../../src/neoengine/index.js";
import { NeoEngineClient } from "../../../../src/neoengine/index.js";
import { fakeTime } from "./scripted-server.js";

export const TEST_TOKEN = "neo_t0ps3cr3t_TOKEN_value_9f8e7d";

/** A client with fake time (sleeps are recorded, never real), fixed jitter and a recorded hook. */
export function testClient(url: string, overrides: Partial<NeoEngineClientOptions> = {}) {
  const time = fakeTime();
  const events: RequestEvent[] = [];
  const client = new NeoEngineClient({
    baseUrl: url,
    token: TEST_TOKEN,
    retry: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1_000, maxRetryAfterMs: 60_000 },
    random: () => 0.5,
    clock: time.clock,
    sleep: time.sleep,
    onRequest: (e) => events.push(e),
    ...overrides,
  });
  return { client, time, events };
}
