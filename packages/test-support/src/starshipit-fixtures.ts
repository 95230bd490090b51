import { readFileSync } from 'node:fs';
import { repoPath } from './repo-root';

/** Where Starshipit's documented payload and response shapes live; see its README.md. */
export const STARSHIPIT_FIXTURES = repoPath('packages/test-support/fixtures/starshipit');

/** One of Starshipit's example payloads or API responses, parsed. */
export function readStarshipitFixture(name: string): unknown {
  return JSON.parse(readFileSync(`${STARSHIPIT_FIXTURES}/${name}`, 'utf8'));
}
