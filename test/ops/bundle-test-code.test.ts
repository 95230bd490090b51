import { describe, expect, it } from 'vitest';
import { testCodeIn } from '../../scripts/test-code';

describe('the build refuses test code in a bundle', () => {
  it('finds test files, test/ folders and the test-support workspace in a module list', () => {
    const rigs = [
      'apps/ingress/test/raw-http.ts',
      'apps/worker/test/harness.ts',
      'packages/test-support/src/index.ts',
      'packages/starshipit/test/fake-starshipit.ts',
      'test/chaos/stack.ts',
      'apps/worker/src/workers.int.test.ts',
    ];
    const production = [
      'apps/ingress/src/main.ts',
      'apps/worker/src/processors/ingest-event.ts',
      'packages/db/src/queries/record-event-batch.ts',
      'packages/domain/src/tracking-event.ts',
      'apps/worker/src/admin/console/pages/timeline.ts',
    ];
    expect(testCodeIn([...production, ...rigs])).toEqual(rigs);
    expect(testCodeIn(production)).toEqual([]);
  });
});
