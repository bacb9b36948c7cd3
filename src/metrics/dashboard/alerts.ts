// The alerting rules, defined once and rendered two ways:
// - a plain Prometheus rule file with the default thresholds (deploy/prometheus/), which
//   `promtool test rules` unit-tests (test/unit/metrics/alerts.test.ts);
// - the Helm chart's PrometheusRule template, thresholds read from .Values.prometheusRule.
// A chart test checks that the rendered PrometheusRule equals the plain file with defaults.

import { JOB } from "./panels.js";

export interface AlertThresholds {
  /** Alert when a credential's available balance falls below this many credits. */
  walletBalanceLowCredits: number;
  /** Alert when a NeoJob waits (not running yet) longer than this. */
  neojobPendingSeconds: number;
  /** Alert when less than this share of a rate-limit window is left. */
  rateBudgetRemainingRatio: number;
  /** Alert when more than this share of API attempts are 5xx or get no response. */
  apiErrorRatio: number;
  /** Alert when more than this share of API attempts are answered 429. */
  api429Ratio: number;
  /** Alert when more than this share of reconciliations fail. */
  reconcileErrorRatio: number;
}

export const DEFAULT_THRESHOLDS: AlertThresholds = {
  walletBalanceLowCredits: 10,
  neojobPendingSeconds: 1800,
  rateBudgetRemainingRatio: 0.1,
  apiErrorRatio: 0.05,
  api429Ratio: 0.01,
  reconcileErrorRatio: 0.1,
};

export interface AlertRule {
  alert: string;
  expr: string;
  for: string;
  labels: { severity: "critical" | "warning" | "info" };
  annotations: { summary: string; description: string; runbook?: string };
}

type T = Record<keyof AlertThresholds, string>;
const J = `job="${JOB}"`;

export function alertRules(t: T): AlertRule[] {
  return [
    {
      alert: "NeoEngineOperatorDown",
      expr: `absent(up{${J}} == 1)`,
      for: "5m",
      labels: { severity: "critical" },
      annotations: {
        summary: "No NeoEngine operator replica is up.",
        description: "Prometheus has not scraped a healthy neoengine-operator target for 5 minutes: NeoJobs and NeoProviders are not reconciled.",
      },
    },
    {
      alert: "NeoEngineOperatorNoLeader",
      expr: `sum(leader_election_master_status{${J}}) < 1`,
      for: "5m",
      labels: { severity: "critical" },
      annotations: {
        summary: "No NeoEngine operator replica holds the leader Lease.",
        description: "Replicas are running but none leads, so nothing is reconciled.",
      },
    },
    {
      alert: "NeoEngineReconcileErrors",
      expr: `sum by (controller) (rate(controller_runtime_reconcile_errors_total{${J}}[10m])) / sum by (controller) (rate(controller_runtime_reconcile_total{${J}}[10m])) > ${t.reconcileErrorRatio}`,
      for: "15m",
      labels: { severity: "warning" },
      annotations: {
        summary: "Controller {{ $labels.controller }} fails many reconciliations.",
        description: "{{ $value | humanizePercentage }} of {{ $labels.controller }} reconciliations returned an error over 10 minutes. Check the operator logs and the objects' Synced condition.",
      },
    },
    {
      alert: "NeoEngineApiRateLimited",
      expr: `sum(rate(neoengine_api_requests_total{${J},code="429"}[5m])) / sum(rate(neoengine_api_requests_total{${J}}[5m])) > ${t.api429Ratio}`,
      for: "10m",
      labels: { severity: "warning" },
      annotations: {
        summary: "NeoEngine answers many requests with 429.",
        description: "{{ $value | humanizePercentage }} of NeoEngine API attempts were rate limited. Another client may share the token, or the tier is too small for the number of NeoJobs.",
      },
    },
    {
      alert: "NeoEngineApiErrors",
      expr: `sum(rate(neoengine_api_requests_total{${J},code=~"5..|0"}[5m])) / sum(rate(neoengine_api_requests_total{${J}}[5m])) > ${t.apiErrorRatio}`,
      for: "10m",
      labels: { severity: "warning" },
      annotations: {
        summary: "NeoEngine API errors or unreachable.",
        description: "{{ $value | humanizePercentage }} of NeoEngine API attempts got a 5xx or no response over 5 minutes.",
      },
    },
    {
      alert: "NeoEngineRateBudgetNearlyExhausted",
      expr: `neoengine_rate_limit_remaining{${J}} / neoengine_rate_limit_limit{${J}} < ${t.rateBudgetRemainingRatio}`,
      for: "10m",
      labels: { severity: "warning" },
      annotations: {
        summary: "Rate budget of credential {{ $labels.credential }} nearly spent ({{ $labels.window }}).",
        description: "Only {{ $value | humanizePercentage }} of the {{ $labels.window }} request budget of credential {{ $labels.credential }} is left; status updates slow down until the window resets.",
      },
    },
    {
      alert: "NeoEngineWalletBalanceLow",
      expr: `neoengine_wallet_balance_credits{${J},kind="available"} < ${t.walletBalanceLowCredits}`,
      for: "15m",
      labels: { severity: "warning" },
      annotations: {
        summary: "NeoEngine wallet of credential {{ $labels.credential }} is low.",
        description: "{{ $value }} credits available; new NeoJobs will be rejected with INSUFFICIENT_FUNDS once escrow cannot be covered.",
      },
    },
    {
      alert: "NeoEngineProviderNodeOffline",
      expr: `sum by (provider, state) (neoengine_provider_nodes{${J},state=~"Offline|Error"}) > 0`,
      for: "10m",
      labels: { severity: "warning" },
      annotations: {
        summary: "NeoProvider {{ $labels.provider }} has nodes in state {{ $labels.state }}.",
        description: "{{ $value }} node(s) of NeoProvider {{ $labels.provider }} are {{ $labels.state }} on the network and sell nothing. Check the NeoProvider status and heartbeats.",
      },
    },
    {
      alert: "NeoEngineNeoJobsStuckPending",
      expr: `max by (namespace) (neoengine_neojob_waiting_oldest_seconds{${J}}) > ${t.neojobPendingSeconds}`,
      for: "5m",
      labels: { severity: "warning" },
      annotations: {
        summary: "NeoJobs in {{ $labels.namespace }} wait to run for a long time.",
        description: "The oldest NeoJob in {{ $labels.namespace }} has not started for {{ $value | humanizeDuration }}: no provider matches its resources, price or reputation, or the market is full.",
      },
    },
  ];
}

export const RULE_GROUP = "neoengine-operator";

export function plainRuleGroups(thresholds: AlertThresholds = DEFAULT_THRESHOLDS) {
  const t = Object.fromEntries(Object.entries(thresholds).map(([k, v]) => [k, String(v)])) as T;
  return { groups: [{ name: RULE_GROUP, rules: alertRules(t) }] };
}

/** Thresholds as Helm expressions, and Prometheus' own {{ }} templates escaped for Helm. */
export function helmRuleGroups() {
  const t = Object.fromEntries(
    Object.keys(DEFAULT_THRESHOLDS).map((k) => [k, `{{ .Values.prometheusRule.thresholds.${k} }}`]),
  ) as T;
  const escape = (s: string) => s.replace(/\{\{[^}]*\}\}/g, (chunk) => "{{`" + chunk + "`}}");
  const rules = alertRules(t).map((rule) => ({
    ...rule,
    annotations: Object.fromEntries(Object.entries(rule.annotations).map(([k, v]) => [k, escape(v)])),
  }));
  return { groups: [{ name: RULE_GROUP, rules }] };
}
