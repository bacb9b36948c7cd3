// The test server helper itself: missing binaries are a failure that names the package to install.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { findPostgresBinaries } from "./pg-server.js";

const dir = mkdtempSync(join(tmpdir(), "neo-pgbin-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("findPostgresBinaries", () => {
  it("fails with the Debian package to install when initdb/postgres are missing", () => {
    expect(() => findPostgresBinaries(join(dir, "none"), "")).toThrow(
      "Install the Debian package `postgresql`: apt-get install -y --no-install-recommends postgresql",
    );
  });

  it("picks the newest major version that has both binaries, else PATH", () => {
    for (const [v, files] of [["13", ["initdb", "postgres"]], ["15", ["initdb", "postgres"]], ["16", ["initdb"]]] as const) {
      mkdirSync(join(dir, "lib", v, "bin"), { recursive: true });
      for (const f of files) writeFileSync(join(dir, "lib", v, "bin", f), "");
    }
    expect(findPostgresBinaries(join(dir, "lib"), "")).toEqual({ initdb: join(dir, "lib", "15", "bin", "initdb"), postgres: join(dir, "lib", "15", "bin", "postgres") });
    mkdirSync(join(dir, "path"));
    writeFileSync(join(dir, "path", "initdb"), "");
    writeFileSync(join(dir, "path", "postgres"), "");
    expect(findPostgresBinaries(join(dir, "none"), `/nowhere:${join(dir, "path")}`).initdb).toBe(join(dir, "path", "initdb"));
  });
});
