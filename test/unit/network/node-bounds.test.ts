// Provider bodies describe real nodes: absurd sizes are a 400, never a value a store can't keep
// (PostgreSQL's BIGINT overflows where SQLite silently turns it into a float).
import { describe, expect, it } from "vitest";
import { FreeCapacitySchema, RegisterProviderRequestSchema } from "../../../src/neoengine/wire.js";

describe("provider capacity bounds", () => {
  it("refuses heartbeat capacity beyond any node", () => {
    expect(FreeCapacitySchema.safeParse({ cpu: 1e300, memory: "1Gi", gpu: 0 }).success).toBe(false);
    expect(FreeCapacitySchema.safeParse({ cpu: 4, memory: "9999999Pi", gpu: 0 }).success).toBe(false);
    expect(FreeCapacitySchema.safeParse({ cpu: 4, memory: "1Gi", gpu: 5000 }).success).toBe(false);
    expect(FreeCapacitySchema.safeParse({ cpu: 4, memory: "1Pi", gpu: 8 }).success).toBe(true);
  });

  it("refuses registered memory beyond 1Pi, with a message naming the limit", () => {
    const r = RegisterProviderRequestSchema.safeParse({
      name: "n1",
      resources: { cpu: 8, memory: "64Gi", gpu: 1, gpuMemory: "2048Pi" },
      prices: { cpu: "0.01", memory: "0.01", gpu: "1" },
    });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(["resources", "gpuMemory"]);
    expect(r.error?.issues[0]?.message).toBe("must be at most 1Pi");
  });
});
