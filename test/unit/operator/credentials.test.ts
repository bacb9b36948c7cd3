import { mkdtempSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CredentialsError } from "../../../src/controllers/neojob/types.js";
import { apiBaseUrl } from "../../../src/neoengine/index.js";
import { fileToken, parseSecretRef, secretRefName, staticToken } from "../../../src/operator/credentials/token-sources.js";

describe("token sources", () => {
  it("a token file is re-read when it changes (rotation without restart), checked at most once a second", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "tok-")), "token");
    writeFileSync(path, "neo_first\n");
    utimesSync(path, 1000, 1000);
    let now = 0;
    const source = fileToken(path, "default", { now: () => now });
    expect(await source.token()).toBe("neo_first");
    writeFileSync(path, "neo_second");
    utimesSync(path, 2000, 2000);
    now = 999;
    expect(await source.token()).toBe("neo_first"); // within the check interval: not read again
    now = 1000;
    expect(await source.token()).toBe("neo_second");
    writeFileSync(path, "neo_third");
    utimesSync(path, 3000, 3000);
    source.invalidate(); // a 401: re-read at once
    expect(await source.token()).toBe("neo_third");
    expect(source.name).toBe("default");
  });

  it("a missing or empty token file is a CredentialsError that does not echo any token", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tok-"));
    await expect(fileToken(join(dir, "nope")).token()).rejects.toMatchObject({ reason: "CredentialsNotFound" });
    writeFileSync(join(dir, "empty"), "  \n");
    await expect(fileToken(join(dir, "empty")).token()).rejects.toBeInstanceOf(CredentialsError);
    expect(() => staticToken(" ")).toThrow(CredentialsError);
  });

  it("parses --token-secret and names credentials without the token", () => {
    expect(parseSecretRef("neoengine-system/neoengine-token")).toEqual({ namespace: "neoengine-system", name: "neoengine-token", key: "token" });
    expect(parseSecretRef("ns/creds#api-key")).toEqual({ namespace: "ns", name: "creds", key: "api-key" });
    expect(() => parseSecretRef("just-a-name")).toThrow(/namespace/);
    expect(() => parseSecretRef("Bad/Name")).toThrow();
    expect(secretRefName({ namespace: "ns", name: "creds", key: "token" })).toBe("secret:ns/creds#token");
  });

  it("accepts the network URL with or without /v1", () => {
    expect(apiBaseUrl("http://127.0.0.1:8787")).toBe("http://127.0.0.1:8787/v1");
    expect(apiBaseUrl("https://api.neoengine.dev/v1/")).toBe("https://api.neoengine.dev/v1");
  });
});
