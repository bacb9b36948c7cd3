import { EventEmitter } from "node:events";

/**
 * In-process notifications that wake long polls (assignments) and log followers. Listeners
 * always re-read the database after a wake-up, so a notification sent from inside a
 * transaction that later rolls back is harmless. (A multi-instance PostgreSQL deployment
 * would back this with LISTEN/NOTIFY.)
 */
export class NetworkBus {
  private readonly emitter = new EventEmitter();
  constructor() {
    this.emitter.setMaxListeners(0);
  }
  providerChanged(providerId: string): void {
    this.emitter.emit(`provider:${providerId}`);
  }
  jobChanged(jobId: string): void {
    this.emitter.emit(`job:${jobId}`);
  }
  onProvider(providerId: string, listener: () => void): () => void {
    return this.on(`provider:${providerId}`, listener);
  }
  onJob(jobId: string, listener: () => void): () => void {
    return this.on(`job:${jobId}`, listener);
  }
  private on(event: string, listener: () => void): () => void {
    this.emitter.on(event, listener);
    return () => this.emitter.off(event, listener);
  }
}
