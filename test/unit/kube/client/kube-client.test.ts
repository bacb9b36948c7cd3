import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { connect, type AddressInfo, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { KubeApiError, isGone, isNotFound } from "../../../../src/kube/client/errors.js";
import { HttpMethod } from "../../../../src/kube/client/http-method.js";
import { KubeClient, KubeRequestTimeoutError, type WatchEvent } from "../../../../src/kube/client/kube-client.js";
import { loadKubeConnection } from "../../../../src/kube/client/load-connection.js";
import { Resources } from "../../../../src/kube/client/resource.js";

// KubeClient's transport against a local HTTP server standing in for the wire (the real
// apiserver is exercised by the e2e suite): JSON in and out, errors, timeouts that really abort,
// the 401 credential refresh, one keep-alive connection, and watch streams cut at awkward places.

type Handler = (req: IncomingMessage & { body: string }, res: ServerResponse) => void;

let server: Server;
let handler: Handler;
let url: string;
let connections: number;
let dir: string;
const clients: KubeClient[] = [];

beforeEach(async () => {
  connections = 0;
  server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => (body += c));
    req.on("end", () => handler(Object.assign(req, { body }), res));
  });
  server.on("connection", () => connections++);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dir = mkdtempSync(join(tmpdir(), "kubeclient-"));
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  server.closeAllConnections();
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

async function client(user: Record<string, unknown> = { token: "t0k" }, requestTimeoutMs?: number, cluster: Record<string, unknown> = {}): Promise<KubeClient> {
  const file = join(dir, "config");
  writeFileSync(
    file,
    JSON.stringify({
      clusters: [{ name: "c", cluster: { server: url, ...cluster } }],
      users: [{ name: "u", user }],
      contexts: [{ name: "x", context: { cluster: "c", user: "u" } }],
      "current-context": "x",
    }),
  );
  const c = new KubeClient(await loadKubeConnection(file), { requestTimeoutMs });
  clients.push(c);
  return c;
}

const json = (res: ServerResponse, code: number, body: unknown) => {
  res.writeHead(code, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
};

const status = (code: number, reason: string, message: string) => ({ kind: "Status", apiVersion: "v1", status: "Failure", code, reason, message });

describe("KubeClient requests", () => {
  it("sends JSON with auth, query and patch content types over one keep-alive connection; parses JSON, returns text as text", async () => {
    const seen: Array<{ method?: string; url?: string; auth?: string; accept?: string; type?: string; body: string }> = [];
    handler = (req, res) => {
      seen.push({ method: req.method, url: req.url, auth: req.headers.authorization, accept: req.headers.accept, type: req.headers["content-type"], body: req.body });
      if (req.url?.endsWith("/log?container=job")) {
        res.writeHead(200, { "content-type": "text/plain" });
        res.end("line 1\nline 2\n");
      } else json(res, 200, { kind: "NeoJob", metadata: { name: "a", resourceVersion: "7" }, when: "2026-01-01T00:00:00.123456Z" });
    };
    const kube = await client();
    const got = await kube.get<{ when: string }>(Resources.neoJob, { namespace: "ns", name: "a" });
    expect(got.when).toBe("2026-01-01T00:00:00.123456Z");
    await kube.mergePatch(Resources.neoJob, { namespace: "ns", name: "a" }, { spec: { x: null } }, "status");
    await kube.jsonPatch(Resources.neoJob, { namespace: "ns", name: "a" }, [{ op: "remove", path: "/x" }]);
    await kube.apply(Resources.configMap, { namespace: "ns", name: "cm" }, { data: {} }, "neo");
    const log = await kube.request(HttpMethod.GET, "/api/v1/namespaces/ns/pods/p/log", { query: { container: "job", skipped: undefined } });
    expect(log).toBe("line 1\nline 2\n");
    expect(seen.map((s) => [s.method, s.url, s.type])).toEqual([
      ["GET", "/apis/neoengine.dev/v1alpha1/namespaces/ns/neojobs/a", undefined],
      ["PATCH", "/apis/neoengine.dev/v1alpha1/namespaces/ns/neojobs/a/status", "application/merge-patch+json"],
      ["PATCH", "/apis/neoengine.dev/v1alpha1/namespaces/ns/neojobs/a", "application/json-patch+json"],
      ["PATCH", "/api/v1/namespaces/ns/configmaps/cm?fieldManager=neo&force=true", "application/apply-patch+yaml"],
      ["GET", "/api/v1/namespaces/ns/pods/p/log?container=job", undefined],
    ]);
    expect(JSON.parse(seen[1]!.body)).toEqual({ spec: { x: null } });
    expect(JSON.parse(seen[3]!.body)).toEqual({ apiVersion: "v1", kind: "ConfigMap", data: {} });
    expect(new Set(seen.map((s) => s.auth))).toEqual(new Set(["Bearer t0k"]));
    expect(seen[0]!.accept).toBe("application/json");
    // Keep-alive: connections are reused (undici may open a second one while the first is finishing).
    expect(connections).toBeLessThanOrEqual(2);
  });

  it("follows continue tokens in list() and restores kind/apiVersion on items", async () => {
    handler = (req, res) => {
      const second = req.url?.includes("continue=page2");
      json(res, 200, { metadata: { resourceVersion: second ? "11" : "10", continue: second ? "" : "page2" }, items: [{ metadata: { name: second ? "b" : "a" } }] });
    };
    const list = await (await client()).list(Resources.pod, { namespace: "ns", limit: 1, labelSelector: "app=x" });
    expect(list).toEqual({
      resourceVersion: "11",
      items: [
        { apiVersion: "v1", kind: "Pod", metadata: { name: "a" } },
        { apiVersion: "v1", kind: "Pod", metadata: { name: "b" } },
      ],
    });
  });

  it("an error status becomes a KubeApiError with code, reason and the Status body (or the text)", async () => {
    handler = (req, res) => {
      if (req.method === "GET") json(res, 404, status(404, "NotFound", 'neojobs "a" not found'));
      else {
        res.writeHead(502, { "content-type": "text/html" });
        res.end("<html>bad gateway</html>");
      }
    };
    const kube = await client();
    const notFound = await kube.get(Resources.neoJob, { namespace: "ns", name: "a" }).catch((e: unknown) => e);
    expect(notFound).toBeInstanceOf(KubeApiError);
    expect(notFound).toMatchObject({ code: 404, reason: "NotFound", body: { kind: "Status", code: 404 } });
    expect((notFound as Error).message).toBe('GET /apis/neoengine.dev/v1alpha1/namespaces/ns/neojobs/a: neojobs "a" not found');
    expect(isNotFound(notFound)).toBe(true);
    const gateway = await kube.delete(Resources.neoJob, { namespace: "ns", name: "a" }).catch((e: unknown) => e);
    expect(gateway).toMatchObject({ code: 502, reason: undefined, body: "<html>bad gateway</html>" });
  });

  it("a request without an answer is aborted after requestTimeoutMs (the server sees the connection close)", async () => {
    let serverSideClosed: Promise<unknown> | undefined;
    handler = (req) => {
      serverSideClosed = once(req.socket, "close");
    };
    const kube = await client({ token: "t" }, 150);
    const err = await kube.get(Resources.pod, { namespace: "ns", name: "p" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeRequestTimeoutError);
    expect((err as Error).message).toBe("GET /api/v1/namespaces/ns/pods/p: no answer from the apiserver within 150 ms");
    await serverSideClosed;
  });

  it("after a 401 the credentials are refreshed (token file re-read) and the request is sent once more; a second 401 is the answer", async () => {
    const tokenPath = join(dir, "token");
    writeFileSync(tokenPath, "old");
    const auths: Array<string | undefined> = [];
    let valid = "old";
    handler = (req, res) => {
      auths.push(req.headers.authorization);
      if (req.headers.authorization === `Bearer ${valid}`) json(res, 200, { ok: true });
      else json(res, 401, status(401, "Unauthorized", "Unauthorized"));
    };
    const kube = await client({ tokenFile: tokenPath });
    expect(await kube.request(HttpMethod.GET, "/version")).toEqual({ ok: true });
    // Rotated: the cached "old" token is still fresh (read under a minute ago); only the 401 makes it re-read.
    valid = "new";
    writeFileSync(tokenPath, "new");
    expect(await kube.request(HttpMethod.GET, "/version")).toEqual({ ok: true });
    expect(auths).toEqual(["Bearer old", "Bearer old", "Bearer new"]);
    auths.length = 0;
    valid = "newer";
    writeFileSync(tokenPath, "newer");
    expect(await kube.request(HttpMethod.GET, "/version")).toEqual({ ok: true });
    expect(auths).toEqual(["Bearer new", "Bearer newer"]);
    auths.length = 0;
    valid = "never";
    await expect(kube.request(HttpMethod.GET, "/version")).rejects.toMatchObject({ code: 401, reason: "Unauthorized" });
    expect(auths).toEqual(["Bearer newer", "Bearer newer"]);
  });

  it("accepts a client-node KubeConfig (kept as kubeConfig, by identity) and a plain HTTP server", async () => {
    handler = (req, res) => json(res, 200, { auth: req.headers.authorization });
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: "c", server: url, skipTLSVerify: true }],
      users: [{ name: "u", token: "from-kc" }],
      contexts: [{ name: "x", cluster: "c", user: "u", namespace: "team" }],
      currentContext: "x",
    });
    const kube = new KubeClient(kc);
    clients.push(kube);
    expect(kube.kubeConfig).toBe(kc);
    expect(kube.connection.namespace).toBe("team");
    expect(await kube.request(HttpMethod.GET, "/x")).toEqual({ auth: "Bearer from-kc" });
    expect(() => new KubeClient({} as KubeConfig)).toThrow(/needs a KubeConnection/);
  });
});

describe("KubeClient: kubeconfig features beyond the light loader", () => {
  it("auth-provider (oidc) falls back to client-node, loaded on demand, for the headers", async () => {
    const b64url = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
    const idToken = `${b64url({ alg: "none" })}.${b64url({ sub: "me", exp: Math.floor(Date.now() / 1000) + 3600 })}.sig`;
    handler = (req, res) => json(res, 200, { auth: req.headers.authorization });
    // client-node allows plain HTTP only with insecure-skip-tls-verify.
    const kube = await client({ "auth-provider": { name: "oidc", config: { "id-token": idToken, "client-id": "k8s" } } }, undefined, {
      "insecure-skip-tls-verify": true,
    });
    expect(kube.connection.source).toBe(join(dir, "config"));
    expect(await kube.request(HttpMethod.GET, "/x")).toEqual({ auth: `Bearer ${idToken}` });
  });

  it("proxy-url: requests go through an HTTP proxy (CONNECT tunnel)", async () => {
    const tunnels: string[] = [];
    const proxy = createServer();
    proxy.on("connect", (req: IncomingMessage, socket: Socket, head: Buffer) => {
      tunnels.push(req.url ?? "");
      const [host, port] = (req.url ?? "").split(":");
      const upstream = connect(Number(port), host, () => {
        socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
        upstream.write(head);
        upstream.pipe(socket);
        socket.pipe(upstream);
      });
      upstream.on("error", () => socket.destroy());
      socket.on("error", () => upstream.destroy());
    });
    proxy.listen(0, "127.0.0.1");
    await once(proxy, "listening");
    try {
      handler = (req, res) => json(res, 200, { path: req.url });
      const kube = await client({ token: "t" }, undefined, { "proxy-url": `http://127.0.0.1:${(proxy.address() as AddressInfo).port}` });
      expect(await kube.request(HttpMethod.GET, "/via-proxy")).toEqual({ path: "/via-proxy" });
      expect(tunnels).toEqual([new URL(url).host]);
      await kube.close();
    } finally {
      proxy.closeAllConnections();
      proxy.close();
    }
  });
});

describe("KubeClient.watch", () => {
  /** Runs one watch; resolves with the events and the onDone argument(s) once onDone was called. */
  async function watchOnce(kube: KubeClient, onEvent?: (e: WatchEvent) => void) {
    const events: WatchEvent[] = [];
    const dones: unknown[] = [];
    let resolveDone!: () => void;
    const doneCalled = new Promise<void>((r) => (resolveDone = r));
    const handle = await kube.watch(
      Resources.neoJob,
      { namespace: "ns", resourceVersion: "5", allowWatchBookmarks: true, timeoutSeconds: 300 },
      (e) => {
        events.push(e);
        onEvent?.(e);
      },
      (err) => {
        dones.push(err);
        resolveDone();
      },
    );
    return { handle, events, dones, doneCalled };
  }

  it("splits the stream on newlines across chunk boundaries (also inside a UTF-8 character) and ends with onDone(null) once", async () => {
    let query = "";
    handler = (req, res) => {
      query = req.url ?? "";
      res.writeHead(200, { "content-type": "application/json" });
      const lines =
        JSON.stringify({ type: "ADDED", object: { metadata: { name: "é-one", resourceVersion: "6" } } }) +
        "\n" +
        JSON.stringify({ type: "BOOKMARK", object: { metadata: { resourceVersion: "7" } } }) +
        "\n\n" +
        JSON.stringify({ type: "DELETED", object: { metadata: { name: "two", resourceVersion: "8" } } });
      const bytes = Buffer.from(lines);
      const cut1 = bytes.indexOf(Buffer.from("é")) + 1; // inside the two bytes of "é"
      const cut2 = bytes.indexOf(Buffer.from("BOOKMARK")) + 3;
      res.write(bytes.subarray(0, cut1));
      res.write(bytes.subarray(cut1, cut2));
      res.end(bytes.subarray(cut2)); // the last line has no newline
    };
    const w = await watchOnce(await client());
    await w.doneCalled;
    expect(query).toBe("/apis/neoengine.dev/v1alpha1/namespaces/ns/neojobs?watch=true&resourceVersion=5&allowWatchBookmarks=true&timeoutSeconds=300");
    expect(w.events.map((e) => [e.type, (e.object.metadata as { name?: string }).name])).toEqual([
      ["ADDED", "é-one"],
      ["BOOKMARK", undefined],
      ["DELETED", "two"],
    ]);
    expect(w.dones).toEqual([null]);
  });

  it("an HTTP error status ends the watch with a KubeApiError of that code (410 stays detectable by isGone)", async () => {
    handler = (_req, res) => json(res, 410, status(410, "Expired", "too old resource version: 5 (90)"));
    const w = await watchOnce(await client());
    await w.doneCalled;
    expect(w.dones).toHaveLength(1);
    expect(w.dones[0]).toBeInstanceOf(KubeApiError);
    expect(w.dones[0]).toMatchObject({ code: 410, reason: "Expired" });
    expect(isGone(w.dones[0])).toBe(true);
    expect(w.events).toEqual([]);
  });

  it("an ERROR event is passed on as an event (the informer decides)", async () => {
    handler = (_req, res) => {
      res.writeHead(200);
      res.end(JSON.stringify({ type: "ERROR", object: status(410, "Expired", "too old") }) + "\n");
    };
    const w = await watchOnce(await client());
    await w.doneCalled;
    expect(w.events).toEqual([{ type: "ERROR", object: status(410, "Expired", "too old") }]);
    expect(w.dones).toEqual([null]);
  });

  it("abort() ends an open stream with onDone(null), once, and closes the connection", async () => {
    let serverSideClosed: Promise<unknown> | undefined;
    handler = (req, res) => {
      serverSideClosed = once(req.socket, "close");
      res.writeHead(200);
      res.write(JSON.stringify({ type: "ADDED", object: { metadata: { name: "a" } } }) + "\n");
    };
    let resolveFirst!: () => void;
    const first = new Promise<void>((r) => (resolveFirst = r));
    const w = await watchOnce(await client(), () => resolveFirst());
    await first;
    w.handle.abort();
    w.handle.abort();
    await w.doneCalled;
    await serverSideClosed;
    expect(w.dones).toEqual([null]);
    expect(w.events).toHaveLength(1);
  });

  it("a line that is not a watch event, a dropped connection, an unreachable server: onDone(error), once", async () => {
    handler = (_req, res) => {
      res.writeHead(200);
      res.end("not json\n");
    };
    const kube = await client();
    const garbage = await watchOnce(kube);
    await garbage.doneCalled;
    expect(garbage.dones).toHaveLength(1);
    expect(String(garbage.dones[0])).toMatch(/a line is not JSON/);

    handler = (req, res) => {
      res.writeHead(200);
      res.write(JSON.stringify({ type: "ADDED", object: { metadata: { name: "a" } } }) + "\n");
      res.on("drain", () => undefined);
      req.socket.destroy();
    };
    const dropped = await watchOnce(kube);
    await dropped.doneCalled;
    expect(dropped.dones).toHaveLength(1);
    expect(dropped.dones[0]).toBeInstanceOf(Error);

    await kube.close();
    server.closeAllConnections();
    server.close();
    await once(server, "close");
    const unreachable = await watchOnce(await client());
    await unreachable.doneCalled;
    expect(unreachable.dones).toHaveLength(1);
    expect(String((unreachable.dones[0] as { code?: string }).code ?? unreachable.dones[0])).toMatch(/ECONNREFUSED/);
  });
});
