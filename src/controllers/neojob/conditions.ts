import type { Condition } from "../../api/index.js";
import type { NeoJobConditionType, NeoJobStatus } from "../../api/index.js";

// metav1.Condition bookkeeping: lastTransitionTime moves only when the status flips, so an
// unchanged observation produces an identical status and therefore no write.

export type ConditionStatus = "True" | "False" | "Unknown";

export function getCondition(status: NeoJobStatus, type: NeoJobConditionType): Condition | undefined {
  return status.conditions?.find((c) => c.type === type);
}

export function isTrue(status: NeoJobStatus, type: NeoJobConditionType): boolean {
  return getCondition(status, type)?.status === "True";
}

export function setCondition(
  status: NeoJobStatus,
  type: NeoJobConditionType,
  value: ConditionStatus,
  reason: string,
  message: string,
  now: string,
  generation?: number,
): void {
  const conditions = status.conditions ?? [];
  const existing = conditions.find((c) => c.type === type);
  const next: Condition = {
    type,
    status: value,
    reason,
    message,
    lastTransitionTime: existing && existing.status === value ? existing.lastTransitionTime : now,
    ...(generation !== undefined ? { observedGeneration: generation } : {}),
  };
  status.conditions = existing ? conditions.map((c) => (c.type === type ? next : c)) : [...conditions, next];
}

/**
 * Sets a condition False only where it is present: a condition that was never True is left out
 * rather than written as False. Every condition costs the apiserver work on every later write of
 * the object (decoding, field tracking), and a NeoJob is written at least twice.
 */
export function clearCondition(status: NeoJobStatus, type: NeoJobConditionType, reason: string, message: string, now: string, generation?: number): void {
  if (getCondition(status, type)) setCondition(status, type, "False", reason, message, now, generation);
}
