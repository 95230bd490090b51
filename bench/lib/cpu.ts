import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let ticksPerSecond: number | null = null;

function clockTicks(): number {
  if (ticksPerSecond === null) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** User + system CPU seconds a process has used so far, or null when it is gone. */
function processCpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at state, field 3.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / clockTicks();
  } catch {
    return null;
  }
}

function machineTicks(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const total = values.reduce((sum, value) => sum + value, 0);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  return { busy: total - idle, total };
}

export interface CpuUse {
  /** CPU cores each watched process kept busy on average (1 = one core flat out). */
  readonly cores: Record<string, number | null>;
  /** The bench process itself (load generator, sink). */
  readonly benchCores: number;
  /** All CPUs of the machine, busy share in percent (Postgres and Redis included). */
  readonly machineBusyPct: number;
}

/** Starts measuring; the returned function ends the window and reports. */
export function measureCpu(pids: Record<string, number>): () => CpuUse {
  const startWall = performance.now();
  const startSelf = process.cpuUsage();
  const startMachine = machineTicks();
  const start = Object.fromEntries(
    Object.entries(pids).map(([name, pid]) => [name, processCpuSeconds(pid)]),
  );
  return () => {
    const wallS = (performance.now() - startWall) / 1000;
    const self = process.cpuUsage(startSelf);
    const machine = machineTicks();
    const cores: Record<string, number | null> = {};
    for (const [name, pid] of Object.entries(pids)) {
      const before = start[name];
      const after = processCpuSeconds(pid);
      cores[name] =
        before === null || before === undefined || after === null ? null : (after - before) / wallS;
    }
    const total = machine.total - startMachine.total;
    return {
      cores,
      benchCores: (self.user + self.system) / 1e6 / wallS,
      machineBusyPct: total > 0 ? ((machine.busy - startMachine.busy) / total) * 100 : Number.NaN,
    };
  };
}

/** "server 0.98, bench 0.41, redis 0.20 cores; machine 71% busy" */
export function describeCpu(use: CpuUse): string {
  const parts = Object.entries(use.cores).map(
    ([name, cores]) => `${name} ${cores === null ? 'n/a' : cores.toFixed(2)}`,
  );
  parts.push(`bench ${use.benchCores.toFixed(2)}`);
  return `CPU cores: ${parts.join(', ')}; machine ${use.machineBusyPct.toFixed(0)}% busy`;
}
