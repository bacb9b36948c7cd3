// Our informer against the real apiserver: add/update/delete, and a relist forced by a 410.
import { beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { parseNeoJob } from "../../src/api/index.js";
import { Informer, KubeClient, Resources, installCrds, kubeListerWatcher, type KubeObject } from "../../src/kube/index.js";
import { WITHOUT_OPERATOR, freshNamespace, kubeConfig, waitFor } from "../helpers/cluster.js";

const client = () => new KubeClient(kubeConfig());

function neoJob(name: string, maxPrice = "1.0") {
  return { metadata: { name }, spec: { image: "busybox", maxPrice } };
}

describe("Informer on the real apiserver", () => {
  beforeAll(async () => {
    await installCrds(client());
  });

  it("sees add, update and delete, and survives a relist forced by 410 Gone", async () => {
    const ns = await freshNamespace("informer", WITHOUT_OPERATOR);
    const kube = client();
    const events: string[] = [];
    const informer = new Informer({
      listerWatcher: kubeListerWatcher(kube, Resources.neoJob, { namespace: ns }),
      backoffInitialMs: 100,
    });
    onTestFinished(() => informer.stop());
    informer.addEventHandler({
      onAdd: (o: KubeObject) => events.push(`add ${o.metadata.name}`),
      onUpdate: (a: KubeObject, b: KubeObject) => {
        if (a.metadata.resourceVersion !== b.metadata.resourceVersion) events.push(`update ${b.metadata.name}`);
      },
      onDelete: (o: KubeObject) => events.push(`delete ${o.metadata.name}`),
    });

    await kube.create(Resources.neoJob, neoJob("before-start"), ns);
    informer.start();
    await informer.waitForSync();
    expect(events).toEqual(["add before-start"]);
    // Objects from a list parse with the zod schemas (defaults applied).
    expect(parseNeoJob(informer.store.get(`${ns}/before-start`)).spec.timeout).toBe("1h");

    await kube.create(Resources.neoJob, neoJob("one"), ns);
    await waitFor(() => events.includes("add one"), { description: "add event" });
    await kube.mergePatch(Resources.neoJob, { namespace: ns, name: "one" }, { spec: { maxPrice: "2.5" } });
    await waitFor(() => events.includes("update one"), { description: "update event" });
    expect(parseNeoJob(informer.store.get(`${ns}/one`)).spec.maxPrice).toBe("2.5");
    await kube.delete(Resources.neoJob, { namespace: ns, name: "one" });
    await waitFor(() => events.includes("delete one"), { description: "delete event" });
    expect(informer.store.has(`${ns}/one`)).toBe(false);

    // A watch from resourceVersion 1 is long compacted/outside the watch cache: the apiserver
    // answers 410 Gone, and the informer must relist and carry on.
    const listsBefore = informer.stats.lists;
    informer.restartWatch("1");
    await waitFor(() => informer.stats.expired >= 1 && informer.stats.lists > listsBefore, { description: "relist after 410" });
    expect(informer.store.keys()).toEqual([`${ns}/before-start`]);

    await kube.create(Resources.neoJob, neoJob("after-relist"), ns);
    await waitFor(() => events.includes("add after-relist"), { description: "add after relist" });
    await kube.delete(Resources.neoJob, { namespace: ns, name: "before-start" });
    await waitFor(() => events.includes("delete before-start"), { description: "delete after relist" });
    expect(informer.store.keys()).toEqual([`${ns}/after-relist`]);
    // Events were delivered exactly once each.
    expect(events.filter((e) => e === "add after-relist")).toHaveLength(1);
  });

  it("keeps going across server-side watch timeouts and inactivity restarts without losing events", async () => {
    const ns = await freshNamespace("informer", WITHOUT_OPERATOR);
    const kube = client();
    const seen: string[] = [];
    const informer = new Informer({
      // The server ends each watch after 1-2 s; the watchdog fires after 1.5 s of silence.
      listerWatcher: kubeListerWatcher(kube, Resources.neoJob, { namespace: ns, watchTimeoutSeconds: [1, 2] }),
      watchInactivityTimeoutMs: 1_500,
      backoffInitialMs: 100,
    });
    onTestFinished(() => informer.stop());
    informer.addEventHandler({
      onAdd: (o: KubeObject) => seen.push(`add ${o.metadata.name}`),
      onDelete: (o: KubeObject) => seen.push(`delete ${o.metadata.name}`),
    });
    informer.start();
    await informer.waitForSync();
    await waitFor(() => informer.stats.watches >= 4, { description: "several watch restarts", timeoutMs: 30_000 });
    for (let i = 0; i < 3; i++) await kube.create(Resources.neoJob, neoJob(`job-${i}`), ns);
    await waitFor(() => informer.store.size === 3, { description: "3 objects cached" });
    await waitFor(() => informer.stats.watches >= 8, { description: "more watch restarts", timeoutMs: 30_000 });
    for (let i = 0; i < 3; i++) await kube.delete(Resources.neoJob, { namespace: ns, name: `job-${i}` });
    await waitFor(() => informer.store.size === 0, { description: "all deletes seen" });
    expect(seen.sort()).toEqual(["add job-0", "add job-1", "add job-2", "delete job-0", "delete job-1", "delete job-2"]);
  });
});
