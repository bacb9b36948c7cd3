// Reading the operator's configuration: its --token-secret syntax and its Deployment's arguments.
import { describe, expect, it } from "vitest";
import { parseSecretRef } from "../../../src/cli/kubectl-neo/credentials.js";
import { configOf, flagValue } from "../../../src/cli/kubectl-neo/kube/operator-config.js";
import { apiBaseUrl } from "../../../src/neoengine/index.js";

describe("the operator's token Secret reference", () => {
  it("parses <namespace>/<name> with the default key, and #key", () => {
    expect(parseSecretRef("neoengine-system/neoengine-operator-token")).toEqual({
      namespace: "neoengine-system",
      name: "neoengine-operator-token",
      key: "token",
    });
    expect(parseSecretRef("team-a/neo.creds#api-key")).toEqual({ namespace: "team-a", name: "neo.creds", key: "api-key" });
  });

  it.each(["just-a-name", "/name", "ns/", "NS/name", "ns/name#", "ns/name/extra"])("refuses %j as a usage error", (value) => {
    expect(() => parseSecretRef(value)).toThrow(/must be <namespace>\/<name>/);
  });
});

describe("the operator's Deployment", () => {
  it("finds --flag=value and --flag value", () => {
    expect(flagValue(["--a=1", "--token-secret", "ns/s", "--b"], "--token-secret")).toBe("ns/s");
    expect(flagValue(["--token-secret=ns/s#k"], "--token-secret")).toBe("ns/s#k");
    expect(flagValue(["--token-secret-file=x"], "--token-secret")).toBeUndefined();
  });

  it("reads the token Secret and URL from arguments, else from env values", () => {
    const deployment = (container: Record<string, unknown>) => ({
      metadata: { name: "neoengine-operator", namespace: "neoengine-system" },
      spec: { template: { spec: { containers: [{ name: "sidecar" }, container] } } },
    });
    expect(configOf(deployment({ args: ["--neoengine-url=http://net:8787/v1", "--token-secret=neoengine-system/tok#key"] }))).toEqual({
      deployment: "neoengine-system/neoengine-operator",
      tokenSecret: "neoengine-system/tok#key",
      url: "http://net:8787/v1",
    });
    expect(
      configOf(deployment({ env: [{ name: "NEOENGINE_URL", value: "https://api.neoengine.dev/v1" }, { name: "NEOENGINE_TOKEN_SECRET", value: "a/b" }] })),
    ).toMatchObject({ tokenSecret: "a/b", url: "https://api.neoengine.dev/v1" });
    expect(configOf(deployment({ args: ["--concurrency=4"] }))).toBeUndefined();
  });
});

describe("the NeoEngine URL", () => {
  it("adds /v1 to a bare network URL and keeps an explicit path", () => {
    expect(apiBaseUrl("http://127.0.0.1:8787")).toBe("http://127.0.0.1:8787/v1");
    expect(apiBaseUrl("http://127.0.0.1:8787/")).toBe("http://127.0.0.1:8787/v1");
    expect(apiBaseUrl("https://api.neoengine.dev/v1")).toBe("https://api.neoengine.dev/v1");
    expect(apiBaseUrl("https://gw.example.com/neo/v1/")).toBe("https://gw.example.com/neo/v1");
  });
});
