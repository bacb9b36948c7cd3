// What every command gets: the global flags, the process I/O, and lazily-made connections to
// the cluster and to the NeoEngine network (a command that needs neither never opens one).

import type { NeoJob } from "../../api/index.js";
import type { NeoEngineClient } from "../../neoengine/index.js";
import { resolveCredentials, type Credentials } from "./credentials.js";
import { usageError } from "./errors.js";
import type { CliIo } from "./io.js";
import { isInteractive } from "./io.js";
import { connectCluster, type Cluster } from "./kube/cluster.js";
import { NeoJobs } from "./kube/neojobs.js";
import { neoEngineClient } from "./neoengine.js";

export interface GlobalOptions {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  allNamespaces?: boolean;
  neoengineUrl?: string;
  token?: string;
  tokenSecret?: string;
}

export class CommandContext {
  #cluster: Cluster | undefined;
  #clients: NeoEngineClient[] = [];

  constructor(
    readonly io: CliIo,
    readonly globals: GlobalOptions,
  ) {
    if (globals.allNamespaces && globals.namespace) throw usageError("use either -n/--namespace or -A/--all-namespaces, not both");
  }

  cluster(): Cluster {
    this.#cluster ??= connectCluster(this.globals, this.io.env);
    return this.#cluster;
  }

  neoJobs(): NeoJobs {
    return new NeoJobs(this.cluster());
  }

  /** The namespace to act in, or undefined for every namespace (-A). */
  listNamespace(): string | undefined {
    return this.globals.allNamespaces ? undefined : this.cluster().namespace;
  }

  credentials(job?: NeoJob): Promise<Credentials> {
    return resolveCredentials({ flags: this.globals, env: this.io.env, cluster: () => this.cluster(), job });
  }

  async neoEngine(job?: NeoJob): Promise<NeoEngineClient> {
    const client = neoEngineClient(await this.credentials(job));
    this.#clients.push(client);
    return client;
  }

  get interactive(): boolean {
    return isInteractive(this.io);
  }

  out(text: string): void {
    this.io.stdout.write(text);
  }

  err(text: string): void {
    this.io.stderr.write(text);
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.#clients.map((c) => c.close()));
  }
}
