import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The operator modules tests load: transformations and adapter plugins. */
export const DESTINATION_FIXTURES = fileURLToPath(
  new URL('fixtures/destinations/', import.meta.url),
);

export function destinationFixture(name: string): string {
  return join(DESTINATION_FIXTURES, name);
}

/** Writes `yaml` as a destinations file in a fresh temporary folder; returns its path. */
export async function writeDestinationsFile(yaml: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tracksync-destinations-'));
  const path = join(dir, 'destinations.yaml');
  await writeFile(path, yaml);
  return path;
}
