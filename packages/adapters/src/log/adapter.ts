import type { Logger } from 'pino';
import { toWireBody } from '../http/transform';
import type { SourceAdapter } from '../source-adapter';

/**
 * Logs the exact body the http adapter would send and reports success, so `npm run dev` shows
 * the whole pipeline working without a source system to call.
 */
export function createLogAdapter(log: Logger, now: () => Date = () => new Date()): SourceAdapter {
  return {
    name: 'log',
    apply(update) {
      log.info({ delivery: toWireBody(update, now()) }, 'would deliver');
      return Promise.resolve({ kind: 'applied' });
    },
  };
}
