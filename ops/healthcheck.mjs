// Container healthcheck for both apps: HEALTHCHECK_PORT is the ingress port (3000) or the
// worker's admin port (3001). It asks /healthz, not /readyz, on purpose: the container's health
// says whether this process serves HTTP. A Redis or Postgres outage is reported by those
// containers' own healthchecks and by /readyz; marking the apps unhealthy for it would get them
// restarted by an orchestrator at the moment they should keep answering 503 and retrying.
const port = process.env.HEALTHCHECK_PORT ?? '3000';

try {
  // Shorter than the HEALTHCHECK timeout, so a hung server is reported as a failed check.
  const res = await fetch(`http://127.0.0.1:${port}/healthz`, {
    signal: AbortSignal.timeout(2_000),
  });
  process.exitCode = res.ok ? 0 : 1;
} catch {
  process.exitCode = 1;
}
