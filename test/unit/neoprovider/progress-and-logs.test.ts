import { describe, expect, it } from "vitest";
import { lastProgress, parseProgressLine } from "../../../src/controllers/neoprovider/model/progress.js";
import { LogCursor, parseTimestampedLine } from "../../../src/controllers/neoprovider/model/log-cursor.js";
import { cpuMillis, formatBytes, formatCpuMillis, parseQuantity, quantityUnits } from "../../../src/controllers/neoprovider/model/quantity.js";

describe("progress lines", () => {
  it("parses neo:progress=N lines and clamps to 100", () => {
    expect(parseProgressLine("neo:progress=42")).toBe(42);
    expect(parseProgressLine("  neo:progress=7%  ")).toBe(7);
    expect(parseProgressLine("neo:progress=250")).toBe(100);
    expect(parseProgressLine("neo:progress=-1")).toBeUndefined();
    expect(parseProgressLine("epoch 3 neo:progress=40")).toBeUndefined();
    expect(parseProgressLine("neo:progress=4x")).toBeUndefined();
  });

  it("takes the last progress of a batch", () => {
    expect(lastProgress(["hello", "neo:progress=10", "x", "neo:progress=30", "done"])).toBe(30);
    expect(lastProgress(["nothing here"])).toBeUndefined();
  });
});

describe("LogCursor", () => {
  it("parses kubelet timestamps with nanoseconds", () => {
    const a = parseTimestampedLine("2026-01-01T00:00:01.000000123Z hello world");
    const b = parseTimestampedLine("2026-01-01T00:00:01.5Z later");
    expect(a?.text).toBe("hello world");
    expect(b!.stamp > a!.stamp).toBe(true);
    expect(parseTimestampedLine("no stamp")).toBeUndefined();
  });

  it("returns each line once across overlapping reads and keeps partial lines for later", () => {
    const cursor = new LogCursor();
    expect(cursor.sinceTime()).toBeUndefined();
    expect(cursor.consume("2026-01-01T00:00:01.1Z a\n2026-01-01T00:00:01.2Z b\n2026-01-01T00:00:02.1Z par")).toEqual(["a", "b"]);
    expect(cursor.sinceTime()).toBe("2026-01-01T00:00:01Z");
    // The next read starts at the last second seen: a and b come again and are dropped.
    expect(
      cursor.consume("2026-01-01T00:00:01.1Z a\n2026-01-01T00:00:01.2Z b\n2026-01-01T00:00:02.1Z partial\n2026-01-01T00:00:03Z c\n"),
    ).toEqual(["partial", "c"]);
    expect(cursor.sinceTime()).toBe("2026-01-01T00:00:03Z");
  });

  it("keeps distinct lines that share one timestamp", () => {
    const cursor = new LogCursor();
    expect(cursor.consume("2026-01-01T00:00:01Z x\n2026-01-01T00:00:01Z x\n")).toEqual(["x", "x"]);
    expect(cursor.consume("2026-01-01T00:00:01Z x\n2026-01-01T00:00:01Z x\n2026-01-01T00:00:01Z x\n")).toEqual(["x"]);
  });
});

describe("quantities", () => {
  it("parses CPU and memory quantities", () => {
    expect(cpuMillis("500m")).toBe(500);
    expect(cpuMillis("2")).toBe(2000);
    expect(cpuMillis("0.25")).toBe(250);
    expect(quantityUnits("4Gi")).toBe(4 * 2 ** 30);
    expect(quantityUnits("1G")).toBe(1e9);
    expect(quantityUnits("1e3")).toBe(1000);
    expect(quantityUnits("129E")).toBe(129e18);
    expect(parseQuantity("abc")).toBeUndefined();
    expect(cpuMillis(undefined)).toBe(0);
  });

  it("formats back", () => {
    expect(formatCpuMillis(4000)).toBe("4");
    expect(formatCpuMillis(1500)).toBe("1500m");
    expect(formatBytes(1536 * 2 ** 20)).toBe("1536Mi");
    expect(formatBytes(1000)).toBe("1000");
  });
});
