import { createDb } from '@tracksync/db';
import { createIngressMetrics } from '@tracksync/ingress';
import { QUEUE_NAMES, type Queues } from '@tracksync/queue';
import { pino } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkerMetrics } from '../../apps/worker/src/metrics';
import { readRepoFile, readRepoYaml } from './repo-files';

interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

interface Dashboard {
  readonly schemaVersion: number;
  readonly panels: readonly {
    readonly title: string;
    readonly targets?: readonly { readonly expr: string }[];
  }[];
}

const alertRules = (
  readRepoYaml('ops/prometheus/alerts.yml') as {
    groups: readonly { name: string; rules: readonly AlertRule[] }[];
  }
).groups.flatMap((group) => group.rules);
const dashboard = JSON.parse(readRepoFile('ops/grafana/tracksync.json')) as Dashboard;
const dashboardExprs = dashboard.panels.flatMap((panel) =>
  (panel.targets ?? []).map((target) => [panel.title, target.expr] as const),
);
const everyExpr = [
  ...alertRules.map((rule) => [`alert ${rule.alert}`, rule.expr] as const),
  ...dashboardExprs.map(([title, expr]) => [`panel ${title}`, expr] as const),
];

/**
 * The registries the apps really serve. Their scrape-time gauges would read Redis and
 * Postgres, but nothing here scrapes: only names, help and counters' preset series are read,
 * so the pool below never opens a connection and no queue is needed.
 */
const database = createDb('postgres://unused@127.0.0.1:1/unused');
const workerRegistry = createWorkerMetrics({
  queues: {} as Queues,
  db: database.db,
  log: pino({ enabled: false }),
  staleAfterMs: 1,
}).registry;
const ingressRegistry = createIngressMetrics().registry;
const registries = [workerRegistry, ingressRegistry];
const served = new Set(registries.flatMap((r) => r.getMetricsAsArray().map((m) => m.name)));

/** Label values each counter starts with (zero series), by metric and label name. */
const presetLabelValues = new Map<string, Set<string>>();

beforeAll(async () => {
  for (const registry of registries) await recordPresetLabels(registry);
});

afterAll(async () => {
  await database.close();
});

async function recordPresetLabels(registry: Registry): Promise<void> {
  for (const { name } of registry.getMetricsAsArray()) {
    const metric = registry.getSingleMetric(name);
    if (!(metric instanceof Counter)) continue;
    for (const { labels } of (await metric.get()).values) {
      for (const [label, value] of Object.entries(labels)) {
        const key = `${name}{${label}}`;
        presetLabelValues.set(key, (presetLabelValues.get(key) ?? new Set()).add(String(value)));
      }
    }
  }
}

function metricNames(expr: string): string[] {
  return [...expr.matchAll(/tracksync_[a-z_]+/g)].map(([name]) =>
    name.replace(/_(bucket|sum|count)$/, ''),
  );
}

/** `metric{label="value"}` and `label=~"a|b"` matchers, as [metric, label, value]. */
function equalityMatchers(expr: string): [string, string, string][] {
  return [...expr.matchAll(/(tracksync_[a-z_]+)\{([^}]*)\}/g)].flatMap(
    ([, metric = '', body = '']) =>
      [...body.matchAll(/(\w+)\s*(=~|=)\s*"([^"]*)"/g)].flatMap(([, label = '', , values = '']) =>
        values.split('|').map((value) => [metric, label, value] as [string, string, string]),
      ),
  );
}

describe('worker and ingress metrics (§8)', () => {
  it.each([
    ['queue depth per state', 'tracksync_worker_queue_jobs'],
    ['oldest waiting job age', 'tracksync_worker_queue_oldest_waiting_seconds'],
    ['events by result', 'tracksync_worker_events_total'],
    ['deliveries by outcome', 'tracksync_worker_deliveries_total'],
    ['received→delivered latency', 'tracksync_worker_received_to_delivered_seconds'],
    ['stale shipments', 'tracksync_worker_stale_shipments'],
    ['unmatched shipments', 'tracksync_worker_unmatched_shipments'],
    ['reconcile runs', 'tracksync_worker_reconcile_runs_total'],
    ['Starshipit API calls by status', 'tracksync_worker_starshipit_requests_total'],
    ['ingress rejections by reason', 'tracksync_ingress_webhooks_rejected_total'],
  ])('serves %s as %s', (_, name) => {
    expect(served).toContain(name);
  });

  it('serves received→delivered latency as a histogram', async () => {
    const latency = await workerRegistry.getSingleMetricAsString(
      'tracksync_worker_received_to_delivered_seconds',
    );
    expect(latency).toContain('# TYPE tracksync_worker_received_to_delivered_seconds histogram');
  });

  it('gives every metric help text', () => {
    for (const { name, help } of registries.flatMap((r) => r.getMetricsAsArray())) {
      expect(help.trim(), name).not.toBe('');
      expect(help, name).not.toBe(name);
    }
  });
});

describe('alerts.yml', () => {
  it('has alerts for backlog, waiting jobs, deliveries, unmatched, reconciliation and 503s', () => {
    const exprs = alertRules.map((rule) => rule.expr).join('\n');
    expect(exprs).toContain('tracksync_worker_queue_jobs');
    expect(exprs).toContain('tracksync_worker_queue_oldest_waiting_seconds');
    expect(exprs).toContain('tracksync_worker_deliveries_total{status="failed"}');
    expect(exprs).toContain('tracksync_worker_unmatched_shipments');
    expect(exprs).toContain('tracksync_worker_reconcile_runs_total{status="failed"}');
    expect(exprs).toContain('tracksync_worker_reconcile_enabled');
    expect(exprs).toContain(
      'tracksync_ingress_webhooks_rejected_total{reason="queue_unavailable"}',
    );
  });

  it.each(alertRules.map((rule) => [rule.alert, rule] as const))(
    '%s has an expression, a for:, a severity and a summary and description',
    (_, rule) => {
      expect(rule.expr.trim()).not.toBe('');
      expect(rule.for).toMatch(/^\d+[smh]$/);
      expect(['critical', 'warning']).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary?.trim()).toBeTruthy();
      expect(rule.annotations?.description?.trim()).toBeTruthy();
    },
  );

  it('names each alert once', () => {
    const names = alertRules.map((rule) => rule.alert);
    expect(new Set(names).size).toBe(names.length);
  });
});

describe('Grafana dashboard', () => {
  it('is a dashboard of the current schema with a query on every panel', () => {
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(39);
    for (const panel of dashboard.panels)
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
  });

  it.each([
    ['queue depth per state', 'tracksync_worker_queue_jobs'],
    ['oldest waiting job age', 'tracksync_worker_queue_oldest_waiting_seconds'],
    ['events by result', 'rate(tracksync_worker_events_total'],
    ['deliveries by outcome', 'rate(tracksync_worker_deliveries_total'],
    [
      'latency p50 per destination',
      'histogram_quantile(0.5, sum by (le, destination) (rate(tracksync_worker_received_to',
    ],
    [
      'latency p99 per destination',
      'histogram_quantile(0.99, sum by (le, destination) (rate(tracksync_worker_received_to',
    ],
    ['unmatched', 'tracksync_worker_unmatched_shipments'],
    ['stale shipments', 'tracksync_worker_stale_shipments'],
    ['reconcile runs', 'tracksync_worker_reconcile_runs_total'],
    ['ingress rejections by reason', 'sum by (reason) (rate(tracksync_ingress_webhooks_rejected'],
    ['Starshipit 429s', 'tracksync_worker_starshipit_requests_total{outcome="429"}'],
  ])('charts %s', (_, fragment) => {
    expect(dashboardExprs.some(([, expr]) => expr.includes(fragment))).toBe(true);
  });
});

describe('expressions in alerts and the dashboard', () => {
  it.each(everyExpr)('%s uses only metrics the apps serve', (_, expr) => {
    const names = metricNames(expr);
    // Prometheus's own `up` is the only other series an expression may rest on.
    expect(names.length > 0 || /^up\{job=~"tracksync-\.\*"\}/.test(expr)).toBe(true);
    for (const name of names) expect(served, name).toContain(name);
  });

  it.each(everyExpr)('%s matches only label values the metrics can have', (_, expr) => {
    const queues: string[] = Object.values(QUEUE_NAMES);
    for (const [metric, label, value] of equalityMatchers(expr)) {
      if (label === 'queue') expect(queues, `${metric} queue`).toContain(value);
      const preset = presetLabelValues.get(`${metric}{${label}}`);
      if (preset) expect([...preset], `${metric}{${label}}`).toContain(value);
    }
  });
});
