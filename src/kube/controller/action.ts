// What a reconcile asks for next. Errors are not an Action: a reconcile throws, and the
// controller's single error policy requeues the key with per-item exponential backoff.

export type Action = { readonly kind: "done" } | { readonly kind: "requeueAfter"; readonly ms: number };

export const done = (): Action => ({ kind: "done" });
export const requeueAfter = (ms: number): Action => ({ kind: "requeueAfter", ms: Math.max(0, Math.round(ms)) });

export type Reconciler = (key: string) => Promise<Action>;
