import type { KubeClient } from "../client/kube-client.js";
import { isAlreadyExists, isConflict, isNotFound } from "../client/errors.js";
import { Resources } from "../client/resource.js";
import { formatMicroTime, parseMicroTime } from "./micro-time.js";

// Persistence of the leader-election record in a coordination.k8s.io/v1 Lease. Optimistic
// concurrency: updates carry the resourceVersion they were computed from, so two candidates
// racing for an expired lease cannot both win.

export interface LeaderRecord {
  holderIdentity: string;
  leaseDurationSeconds: number;
  /** Epoch ms. */
  acquireTime: number;
  /** Epoch ms. */
  renewTime: number;
  leaseTransitions: number;
}

export interface StoredRecord {
  record: LeaderRecord;
  resourceVersion: string;
}

/** create/update resolve false when another candidate changed the lease first. */
export interface LeaseStore {
  readonly description: string;
  get(): Promise<StoredRecord | undefined>;
  create(record: LeaderRecord): Promise<StoredRecord | false>;
  update(record: LeaderRecord, resourceVersion: string): Promise<StoredRecord | false>;
}

interface LeaseObject {
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec?: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
}

export function leaseSpecOf(record: LeaderRecord) {
  return {
    holderIdentity: record.holderIdentity,
    leaseDurationSeconds: record.leaseDurationSeconds,
    acquireTime: formatMicroTime(record.acquireTime),
    renewTime: formatMicroTime(record.renewTime),
    leaseTransitions: record.leaseTransitions,
  };
}

function recordOf(lease: LeaseObject): StoredRecord {
  const s = lease.spec ?? {};
  return {
    record: {
      holderIdentity: s.holderIdentity ?? "",
      leaseDurationSeconds: s.leaseDurationSeconds ?? 0,
      acquireTime: s.acquireTime ? parseMicroTime(s.acquireTime) : 0,
      renewTime: s.renewTime ? parseMicroTime(s.renewTime) : 0,
      leaseTransitions: s.leaseTransitions ?? 0,
    },
    resourceVersion: lease.metadata.resourceVersion ?? "",
  };
}

export class KubeLeaseStore implements LeaseStore {
  readonly description: string;

  constructor(
    private readonly client: KubeClient,
    private readonly namespace: string,
    private readonly name: string,
  ) {
    this.description = `lease ${namespace}/${name}`;
  }

  async get(): Promise<StoredRecord | undefined> {
    try {
      return recordOf(await this.client.get<LeaseObject>(Resources.lease, { namespace: this.namespace, name: this.name }));
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async create(record: LeaderRecord): Promise<StoredRecord | false> {
    try {
      const created = await this.client.create<LeaseObject>(
        Resources.lease,
        { metadata: { name: this.name, namespace: this.namespace }, spec: leaseSpecOf(record) },
        this.namespace,
      );
      return recordOf(created);
    } catch (err) {
      if (isAlreadyExists(err)) return false;
      throw err;
    }
  }

  async update(record: LeaderRecord, resourceVersion: string): Promise<StoredRecord | false> {
    try {
      const updated = await this.client.replace<LeaseObject>(
        Resources.lease,
        { namespace: this.namespace, name: this.name },
        { metadata: { name: this.name, namespace: this.namespace, resourceVersion }, spec: leaseSpecOf(record) },
      );
      return recordOf(updated);
    } catch (err) {
      if (isConflict(err)) return false;
      throw err;
    }
  }
}
