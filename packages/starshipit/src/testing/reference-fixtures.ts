import { readFileSync } from 'node:fs';

/**
 * The shared reference fixtures live beside the spec, outside this repository, in
 * ../shared/reference/fixtures from the repository root (five levels up from src/testing/).
 * Read, not copied, so
 * the tests follow the reference when it is corrected.
 */
export const REFERENCE_FIXTURES = new URL(
  '../../../../../shared/reference/fixtures/',
  import.meta.url,
);

export function readReferenceFixture(name: string): unknown {
  return JSON.parse(readFileSync(new URL(name, REFERENCE_FIXTURES), 'utf8'));
}
