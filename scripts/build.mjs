// Bundles each app's entry points into apps/<app>/dist. Workspace packages ship as TypeScript
// sources, so they are bundled in; third-party packages stay external and load from
// node_modules, as in any Node.js deployment. A bundle that would contain test code (a test
// file, a test/ folder or the test-support workspace) fails the build: rigs never ship.
import { build } from 'esbuild';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, relative } from 'node:path';
import { testCodeIn } from './test-code.ts';

const entryPoints = {
  'apps/ingress/dist/main': 'apps/ingress/src/main.ts',
  'apps/ingress/dist/signature-check': 'apps/ingress/src/signature-check-cli.ts',
  'apps/worker/dist/main': 'apps/worker/src/main.ts',
  'apps/worker/dist/migrate': 'apps/worker/src/migrate.ts',
  'apps/worker/dist/destinations': 'apps/worker/src/destinations-cli.ts',
};

const externalThirdParty = {
  name: 'external-third-party',
  setup(builder) {
    builder.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith('@tracksync/') ? undefined : { path: args.path, external: true },
    );
  },
};

// Nothing is written until every bundle has passed the check below.
const { metafile, outputFiles } = await build({
  entryPoints,
  outdir: '.',
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  sourcemap: true,
  metafile: true,
  write: false,
  logLevel: 'info',
  plugins: [externalThirdParty],
});

const files = outputFiles.map(({ path, contents }) => ({ path: relative('.', path), contents }));
for (const [output, { inputs }] of Object.entries(metafile.outputs)) {
  if (!output.endsWith('.js')) continue;
  const modules = Object.keys(inputs).sort();
  const rigs = testCodeIn(modules);
  if (rigs.length > 0) {
    throw new Error(`${output} would bundle test code: ${rigs.join(', ')}`);
  }
  // Each bundle's module list, beside it, for anyone asking what ships.
  files.push({
    path: output.replace(/\.js$/, '.modules.txt'),
    contents: `${modules.join('\n')}\n`,
  });
}
for (const { path, contents } of files) {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, contents);
}
