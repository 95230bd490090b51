import { describe, expect, it } from 'vitest';
import { readRepoFile, readRootManifest } from './repo-files';

/** The majors `engines.node` allows, as `^22.22.0 || ^24.0.0 || >=26.0.0` writes them. */
function engineMajors(): { readonly lines: number[]; readonly openEndedFrom: number | null } {
  const ranges = (readRootManifest().engines?.node ?? '').split('||').map((r) => r.trim());
  const major = (range: string) => Number(/(\d+)\./.exec(range)?.[1]);
  return {
    lines: ranges.filter((r) => r.startsWith('^')).map(major),
    openEndedFrom: ranges.filter((r) => r.startsWith('>=')).map(major)[0] ?? null,
  };
}

describe('Node.js versions', () => {
  const { lines, openEndedFrom } = engineMajors();
  const nvmrc = Number(readRepoFile('.nvmrc').trim());
  const imageMajor = Number(/^FROM node:(\d+)-/m.exec(readRepoFile('Dockerfile'))?.[1]);
  const buildTarget = Number(/target: 'node(\d+)'/.exec(readRepoFile('scripts/build.mjs'))?.[1]);

  it('allows the maintained LTS lines 22, 24 and 26 and nothing older', () => {
    expect(lines).toEqual([22, 24]);
    expect(openEndedFrom).toBe(26);
  });

  it('develops, builds the image and bundles for lines engines allows', () => {
    expect(nvmrc).toBe(24);
    expect(imageMajor).toBe(nvmrc);
    expect(lines).toContain(imageMajor);
    // The bundles use no syntax newer than the oldest line allowed.
    expect(buildTarget).toBe(Math.min(...lines));
  });
});
