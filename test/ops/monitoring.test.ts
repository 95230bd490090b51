import { existsSync } from 'node:fs';
import { posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoPath } from '@tracksync/test-support';
import { readRepoFile, readRepoYaml } from './repo-files';

interface Service {
  readonly environment?: Readonly<Record<string, string>>;
  readonly volumes?: readonly string[];
}

interface PrometheusConfig {
  readonly rule_files: readonly string[];
  readonly scrape_configs: readonly {
    readonly job_name: string;
    readonly static_configs: readonly { readonly targets: readonly string[] }[];
  }[];
}

interface DatasourceProvisioning {
  readonly datasources: readonly { uid: string; type: string; url: string }[];
}

interface DashboardProvisioning {
  readonly providers: readonly { options: { path: string } }[];
}

const { services } = readRepoYaml('docker-compose.yml') as { services: Record<string, Service> };

/** Where a container path of `service` comes from in the repository, through its bind mounts. */
function hostPathOf(service: string, containerPath: string): string | undefined {
  for (const volume of services[service]?.volumes ?? []) {
    const [source = '', target = ''] = volume.split(':');
    if (!source.startsWith('./')) continue;
    if (containerPath === target) return source.slice(2);
    if (containerPath.startsWith(`${target}/`)) {
      return posix.join(source.slice(2), posix.relative(target, containerPath));
    }
  }
  return undefined;
}

/** The repository file behind a container path; throws when there is none. */
function mountedFile(service: string, containerPath: string): string {
  const hostPath = hostPathOf(service, containerPath);
  if (hostPath === undefined || !existsSync(repoPath(hostPath))) {
    throw new Error(`${service}: ${containerPath} is not mounted from a file in the repository`);
  }
  return hostPath;
}

describe('Prometheus in the monitoring profile', () => {
  const configPath = mountedFile('prometheus', '/etc/prometheus/prometheus.yml');
  const config = readRepoYaml(configPath) as PrometheusConfig;

  it('loads the alert rules from the repository', () => {
    const ruleFiles = config.rule_files.map((file) => mountedFile('prometheus', file));
    expect(ruleFiles).toContain('ops/prometheus/alerts.yml');
  });

  it('scrapes the ingress and the worker admin port as tracksync jobs', () => {
    const targets = Object.fromEntries(
      config.scrape_configs.map((job) => [
        job.job_name,
        job.static_configs.flatMap((c) => c.targets),
      ]),
    );
    expect(targets).toEqual({
      'tracksync-ingress': ['ingress:3000'],
      'tracksync-worker': ['worker:3001'],
    });
    expect(services.ingress?.environment?.PORT).toBe('3000');
    expect(services.worker?.environment?.ADMIN_PORT).toBe('3001');
  });
});

describe('Grafana in the monitoring profile', () => {
  const { datasources } = readRepoYaml(
    mountedFile('grafana', '/etc/grafana/provisioning/datasources/prometheus.yml'),
  ) as DatasourceProvisioning;
  const { providers } = readRepoYaml(
    mountedFile('grafana', '/etc/grafana/provisioning/dashboards/tracksync.yml'),
  ) as DashboardProvisioning;

  it('provisions Prometheus at its compose address', () => {
    expect(datasources).toEqual([
      expect.objectContaining({ type: 'prometheus', url: 'http://prometheus:9090' }),
    ]);
  });

  it('provisions the tracksync dashboard from the folder it is mounted in', () => {
    const [provider] = providers;
    expect(provider).toBeDefined();
    const dashboardPath = mountedFile(
      'grafana',
      posix.join(provider?.options.path ?? '', 'tracksync.json'),
    );
    expect(dashboardPath).toBe('ops/grafana/tracksync.json');
  });

  it('queries the provisioned datasource from every panel and target', () => {
    const uids = new Set(
      [
        ...readRepoFile('ops/grafana/tracksync.json').matchAll(
          /"datasource":\s*\{[^}]*"uid":\s*"([^"]+)"/g,
        ),
      ].map(([, uid]) => uid),
    );
    expect([...uids]).toEqual(datasources.map((d) => d.uid));
  });

  it('lets anyone view and no one sign up', () => {
    expect(services.grafana?.environment).toMatchObject({
      GF_AUTH_ANONYMOUS_ENABLED: 'true',
      GF_AUTH_ANONYMOUS_ORG_ROLE: 'Viewer',
      GF_USERS_ALLOW_SIGN_UP: 'false',
    });
  });
});
