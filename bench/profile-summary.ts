/**
 * `npm run bench:profile -- <file.cpuprofile> [top]`: where a V8 CPU profile spent its time,
 * as self time per function and per package, so a bench run (BENCH_CPU_PROF=<dir>) can be
 * read without a browser. Idle and garbage collection are listed as V8 names them.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: {
    readonly functionName: string;
    readonly url: string;
    readonly lineNumber: number;
  };
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** `node_modules/<pkg>` (scoped too), a workspace folder, or node's own internals. */
function packageOf(url: string): string {
  const module = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (module?.[1]) return module[1];
  const workspace = /\/((?:apps|packages)\/[^/]+)\//.exec(url);
  if (workspace?.[1]) return workspace[1];
  if (url.startsWith('node:')) return 'node internals';
  return url === '' ? '(v8)' : url;
}

function addTo(totals: Map<string, number>, key: string, micros: number): void {
  totals.set(key, (totals.get(key) ?? 0) + micros);
}

function printTop(title: string, totals: Map<string, number>, all: number, top: number): void {
  process.stdout.write(`\n${title}\n`);
  const rows = [...totals].sort((a, b) => b[1] - a[1]).slice(0, top);
  for (const [key, micros] of rows) {
    const share = ((100 * micros) / all).toFixed(1).padStart(5);
    process.stdout.write(`${share} %  ${(micros / 1000).toFixed(0).padStart(7)} ms  ${key}\n`);
  }
}

function main(): void {
  const [file, topArg] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: npm run bench:profile -- <file.cpuprofile> [top]\n');
    process.exit(2);
  }
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  let all = 0;
  profile.samples.forEach((id, i) => {
    const micros = profile.timeDeltas[i] ?? 0;
    const frame = byId.get(id)?.callFrame;
    if (!frame) return;
    all += micros;
    const where = frame.url.replace(/^.*\/(node_modules|apps|packages)\//, '$1/');
    addTo(
      byFunction,
      `${frame.functionName || '(anonymous)'} ${where}:${frame.lineNumber + 1}`,
      micros,
    );
    addTo(byPackage, packageOf(frame.url), micros);
  });
  const top = Number(topArg ?? 25);
  process.stdout.write(`${file}: ${(all / 1000).toFixed(0)} ms sampled\n`);
  printTop('self time by package', byPackage, all, top);
  printTop('self time by function', byFunction, all, top);
}

main();
