import { runDestinationsCommand } from './destinations/command';

/**
 * `npm run destinations -- dry-run --destination erp --tracking-number TRK1` (what a
 * destination would send, not sent) and `npm run destinations -- retry-failed --destination
 * erp --since 2026-06-18T00:00:00Z` (a bulk retry, in order per shipment).
 */
process.exitCode = await runDestinationsCommand(process.argv.slice(2), process.env, {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
});
