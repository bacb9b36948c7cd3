import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { inClusterConnection, loadKubeConnection } from "../../../../src/kube/client/load-connection.js";

// The light kubeconfig loader: which file, which fields, relative paths, token files, exec
// plugins (a real child process printing ExecCredential JSON) and in-cluster config from a fake
// service-account directory. Clocks are injected; nothing sleeps.

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "kubeconn-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const b64 = (s: string) => Buffer.from(s).toString("base64");

function kubeconfig(user: Record<string, unknown>, cluster: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      { name: "other", cluster: { server: "https://other.example:6443" } },
      { name: "c1", cluster: { server: "https://10.0.0.1:6443", ...cluster } },
    ],
    users: [{ name: "u1", user }],
    contexts: [
      { name: "ctx", context: { cluster: "c1", user: "u1", namespace: "team-a" } },
      { name: "wrong", context: { cluster: "other", user: "u1" } },
    ],
    "current-context": "ctx",
    ...extra,
  });
}

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe("loadKubeConnection: kubeconfig files", () => {
  it("uses the current context's cluster, user and namespace; data fields are base64", async () => {
    const file = write(
      "config",
      kubeconfig(
        { "client-certificate-data": b64("CERT-PEM"), "client-key-data": b64("KEY-PEM") },
        { "certificate-authority-data": b64("CA-PEM"), "tls-server-name": "kubernetes.default" },
      ),
    );
    const conn = await loadKubeConnection(file);
    expect(conn.server).toBe("https://10.0.0.1:6443");
    expect(conn.namespace).toBe("team-a");
    const creds = await conn.credentials();
    expect(creds.tls).toEqual({ ca: "CA-PEM", cert: "CERT-PEM", key: "KEY-PEM", rejectUnauthorized: true, servername: "kubernetes.default" });
    expect(creds.headers).toEqual({});
    // Stable TLS object: KubeClient keeps its connection pool while it is the same.
    expect((await conn.credentials()).tls).toBe(creds.tls);
  });

  it("YAML input, relative file paths resolved against the kubeconfig's directory, insecure-skip-tls-verify, a static token", async () => {
    write("ca.crt", "CA-FROM-FILE");
    write("client.crt", "CERT-FROM-FILE");
    write("client.key", "KEY-FROM-FILE");
    const file = write(
      "config.yaml",
      [
        "apiVersion: v1",
        "clusters:",
        "- name: c1",
        "  cluster:",
        "    server: https://k8s.example/prefix/",
        "    certificate-authority: ca.crt",
        "    insecure-skip-tls-verify: true",
        "users:",
        "- name: u1",
        "  user:",
        "    client-certificate: ./client.crt",
        "    client-key: client.key",
        "    token: tok-123",
        "contexts:",
        "- name: ctx",
        "  context: {cluster: c1, user: u1}",
        "current-context: ctx",
      ].join("\n"),
    );
    // Loaded from another working directory: the paths still resolve next to the file.
    const conn = await loadKubeConnection(file);
    expect(conn.server).toBe("https://k8s.example/prefix");
    expect(conn.namespace).toBeUndefined();
    const creds = await conn.credentials();
    expect(creds.tls).toMatchObject({ ca: "CA-FROM-FILE", cert: "CERT-FROM-FILE", key: "KEY-FROM-FILE", rejectUnauthorized: false });
    expect(creds.headers).toEqual({ Authorization: "Bearer tok-123" });
  });

  it("basic auth", async () => {
    const conn = await loadKubeConnection(write("config", kubeconfig({ username: "admin", password: "s3cret" })));
    expect((await conn.credentials()).headers).toEqual({ Authorization: `Basic ${b64("admin:s3cret")}` });
  });

  it("tokenFile: re-read when older than a minute, and at once after invalidate() (a 401)", async () => {
    const tokenPath = write("token", "first\n");
    let now = 1_000_000;
    const conn = await loadKubeConnection(write("config", kubeconfig({ tokenFile: "token" })), { now: () => now });
    expect((await conn.credentials()).headers.Authorization).toBe("Bearer first");
    writeFileSync(tokenPath, "second");
    now += 59_000;
    expect((await conn.credentials()).headers.Authorization).toBe("Bearer first");
    now += 1_000;
    expect((await conn.credentials()).headers.Authorization).toBe("Bearer second");
    writeFileSync(tokenPath, "third");
    expect(conn.invalidate()).toBe(true);
    expect((await conn.credentials()).headers.Authorization).toBe("Bearer third");
  });

  it("precedence: explicit path, else in-cluster (KUBERNETES_SERVICE_HOST without KUBECONFIG), else the first $KUBECONFIG file, else ~/.kube/config", async () => {
    const a = write("a", kubeconfig({ token: "a" }, { server: "https://a.example" }));
    const b = write("b", kubeconfig({ token: "b" }, { server: "https://b.example" }));
    const sa = join(dir, "sa");
    const home = join(dir, "home");
    for (const d of [sa, join(home, ".kube")]) rmSync(d, { recursive: true, force: true });
    const { mkdirSync } = await import("node:fs");
    mkdirSync(sa);
    mkdirSync(join(home, ".kube"), { recursive: true });
    writeFileSync(join(sa, "token"), "sa-token");
    writeFileSync(join(sa, "ca.crt"), "SA-CA");
    writeFileSync(join(home, ".kube", "config"), kubeconfig({ token: "home" }, { server: "https://home.example" }));
    const inCluster = { KUBERNETES_SERVICE_HOST: "10.96.0.1", KUBERNETES_SERVICE_PORT: "443" };
    const load = (path: string | undefined, env: NodeJS.ProcessEnv) => loadKubeConnection(path, { env, serviceAccountDir: sa, homeDir: home });

    expect((await load(a, { ...inCluster, KUBECONFIG: b })).server).toBe("https://a.example");
    expect((await load(undefined, inCluster)).source).toBe("in-cluster");
    expect((await load(undefined, { ...inCluster, KUBECONFIG: `${b}:${a}` })).server).toBe("https://b.example");
    expect((await load(undefined, { KUBECONFIG: `:${a}` })).server).toBe("https://a.example");
    expect((await load(undefined, {})).server).toBe("https://home.example");
    rmSync(join(home, ".kube", "config"));
    await expect(load(undefined, {})).rejects.toThrow(/no kubeconfig/);
  });

  it("bad input gets a clear error", async () => {
    await expect(loadKubeConnection(join(dir, "missing"))).rejects.toThrow(/cannot read the kubeconfig file .*missing: ENOENT/);
    await expect(loadKubeConnection(write("bad", "clusters: [unclosed"))).rejects.toThrow(/not valid YAML/);
    await expect(loadKubeConnection(write("noctx", kubeconfig({}, {}, { "current-context": undefined })))).rejects.toThrow(/no current-context/);
    await expect(loadKubeConnection(write("ctx404", kubeconfig({}, {}, { "current-context": "nope" })))).rejects.toThrow(/context "nope" not found/);
    await expect(loadKubeConnection(write("noserver", kubeconfig({}, { server: "" })))).rejects.toThrow(/has no server/);
    await expect(loadKubeConnection(write("nofile", kubeconfig({ "client-certificate": "gone.crt", "client-key": "gone.key" })))).rejects.toThrow(
      /client-certificate file .*gone\.crt/,
    );
    await expect(loadKubeConnection(write("halfcert", kubeconfig({ "client-certificate-data": b64("C") })))).rejects.toThrow(/both the certificate and the key/);
    await expect(loadKubeConnection(write("ftp", kubeconfig({}, { server: "ftp://x" })))).rejects.toThrow(/not an http\(s\) URL/);
  });
});

describe("loadKubeConnection: exec plugins", () => {
  /** A plugin that counts its runs and prints what its files say (token or certificate, expiry). */
  function plugin(): { path: string; runs: () => number } {
    const counter = join(dir, "runs");
    writeFileSync(counter, "0");
    const path = write(
      "plugin.mjs",
      `#!${process.execPath}
import { readFileSync, writeFileSync } from "node:fs";
const counter = ${JSON.stringify(counter)};
const n = Number(readFileSync(counter, "utf8")) + 1;
writeFileSync(counter, String(n));
const info = JSON.parse(process.env.KUBERNETES_EXEC_INFO);
if (process.env.PLUGIN_FAIL) { process.stderr.write("login required"); process.exit(3); }
const status = process.env.PLUGIN_CERT
  ? { clientCertificateData: "CERT-" + n, clientKeyData: "KEY-" + n }
  : process.env.PLUGIN_ECHO_CLUSTER
    ? { token: JSON.stringify(info.spec) }
    : { token: process.env.PLUGIN_PREFIX + "-" + n + "-" + process.argv[2] };
if (process.env.PLUGIN_EXPIRES) status.expirationTimestamp = process.env.PLUGIN_EXPIRES;
console.log(JSON.stringify({ apiVersion: info.apiVersion, kind: "ExecCredential", status }));
`,
    );
    chmodSync(path, 0o755);
    return { path, runs: () => Number(readFileSync(counter, "utf8")) };
  }

  const exec = (env: Record<string, string>, apiVersion = "client.authentication.k8s.io/v1") => ({
    exec: { apiVersion, command: "./plugin.mjs", args: ["arg1"], env: Object.entries(env).map(([name, value]) => ({ name, value })), interactiveMode: "Never" },
  });

  it("runs the command (relative to the kubeconfig) with args and env; caches the token until expirationTimestamp; re-runs after a 401", async () => {
    const p = plugin();
    let now = Date.parse("2026-01-01T00:00:00Z");
    const file = write("config", kubeconfig(exec({ PLUGIN_PREFIX: "tok", PLUGIN_EXPIRES: "2026-01-01T00:10:00Z" })));
    const conn = await loadKubeConnection(file, { now: () => now });
    expect(p.runs()).toBe(0);
    // Concurrent requests share one plugin run.
    const [first, again] = await Promise.all([conn.credentials(), conn.credentials()]);
    expect(first.headers).toEqual({ Authorization: "Bearer tok-1-arg1" });
    expect(again.headers).toEqual(first.headers);
    expect(p.runs()).toBe(1);
    now = Date.parse("2026-01-01T00:09:00Z");
    expect((await conn.credentials()).headers.Authorization).toBe("Bearer tok-1-arg1");
    expect(p.runs()).toBe(1);
    // Within the renewal skew of the expiry: a fresh credential.
    now = Date.parse("2026-01-01T00:09:55Z");
    expect((await conn.credentials()).headers.Authorization).toBe("Bearer tok-2-arg1");
    expect(conn.invalidate()).toBe(true);
    expect((await conn.credentials()).headers.Authorization).toBe("Bearer tok-3-arg1");
    expect(p.runs()).toBe(3);
  });

  it("v1beta1 with a client certificate: the TLS material changes with each new credential; no expiry = cached until a 401", async () => {
    const p = plugin();
    const conn = await loadKubeConnection(write("config", kubeconfig(exec({ PLUGIN_CERT: "1" }, "client.authentication.k8s.io/v1beta1"))));
    const one = await conn.credentials();
    expect(one.tls).toMatchObject({ cert: "CERT-1", key: "KEY-1" });
    expect(one.headers).toEqual({});
    expect((await conn.credentials()).tls).toBe(one.tls);
    conn.invalidate();
    const two = await conn.credentials();
    expect(two.tls).toMatchObject({ cert: "CERT-2", key: "KEY-2" });
    expect(two.tls).not.toBe(one.tls);
    expect(p.runs()).toBe(2);
  });

  it("provideClusterInfo passes the cluster to the plugin; without it the plugin sees no cluster", async () => {
    plugin();
    const user = exec({ PLUGIN_ECHO_CLUSTER: "1" });
    const cluster = {
      "certificate-authority-data": b64("CA-PEM"),
      extensions: [{ name: "client.authentication.k8s.io/exec", extension: { audience: "k8s" } }],
    };
    const withInfo = await loadKubeConnection(write("config", kubeconfig({ exec: { ...user.exec, provideClusterInfo: true } }, cluster)));
    const spec = JSON.parse((await withInfo.credentials()).headers.Authorization!.slice("Bearer ".length)) as unknown;
    expect(spec).toEqual({
      interactive: false,
      cluster: { server: "https://10.0.0.1:6443", insecureSkipTLSVerify: false, certificateAuthorityData: b64("CA-PEM"), config: { audience: "k8s" } },
    });
    const without = await loadKubeConnection(write("config2", kubeconfig(user, cluster)));
    expect((await without.credentials()).headers.Authorization).toBe(`Bearer ${JSON.stringify({ interactive: false })}`);
  });

  it("a missing command: the error carries the installHint", async () => {
    const conn = await loadKubeConnection(
      write("config", kubeconfig({ exec: { apiVersion: "client.authentication.k8s.io/v1", command: "no-such-plugin-xyz", installHint: "install it with brew" } })),
    );
    await expect(conn.credentials()).rejects.toThrow(/no-such-plugin-xyz failed: .*ENOENT.*\(install it with brew\)/);
  });

  it("a failing plugin: an error with its stderr, and the next call runs it again", async () => {
    const p = plugin();
    const conn = await loadKubeConnection(write("config", kubeconfig(exec({ PLUGIN_FAIL: "1" }))));
    await expect(conn.credentials()).rejects.toThrow(/exec credential plugin \.\/plugin\.mjs failed.*login required/);
    await expect(conn.credentials()).rejects.toThrow(/login required/);
    expect(p.runs()).toBe(2);
  });
});

describe("inClusterConnection", () => {
  it("service-account token (re-read at most every minute, or after a 401), CA and namespace from the directory", async () => {
    writeFileSync(join(dir, "token"), "sa-1");
    writeFileSync(join(dir, "ca.crt"), "CLUSTER-CA");
    writeFileSync(join(dir, "namespace"), "operators\n");
    let now = 0;
    const conn = inClusterConnection({ KUBERNETES_SERVICE_HOST: "fd00::1", KUBERNETES_SERVICE_PORT: "443" }, dir, { now: () => now });
    expect(conn.server).toBe("https://[fd00::1]:443");
    expect(conn.namespace).toBe("operators");
    const creds = await conn.credentials();
    expect(creds.tls).toEqual({ ca: "CLUSTER-CA", rejectUnauthorized: true });
    expect(creds.headers).toEqual({ Authorization: "Bearer sa-1" });
    writeFileSync(join(dir, "token"), "sa-2");
    now += 30_000;
    expect((await conn.credentials()).headers.Authorization).toBe("Bearer sa-1");
    now += 30_000;
    expect((await conn.credentials()).headers.Authorization).toBe("Bearer sa-2");
    writeFileSync(join(dir, "token"), "sa-3");
    conn.invalidate();
    expect((await conn.credentials()).headers.Authorization).toBe("Bearer sa-3");
  });

  it("clear errors: no service env, a missing CA, a missing token", async () => {
    expect(() => inClusterConnection({}, dir)).toThrow(/KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT/);
    const env = { KUBERNETES_SERVICE_HOST: "10.96.0.1", KUBERNETES_SERVICE_PORT: "443" };
    expect(() => inClusterConnection(env, dir)).toThrow(/in-cluster CA file .*ca\.crt/);
    writeFileSync(join(dir, "ca.crt"), "CA");
    await expect(inClusterConnection(env, dir).credentials()).rejects.toThrow(/cannot read the token file .*token/);
  });
});
