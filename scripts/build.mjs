// Bundles each app's entry points into apps/<app>/dist. Workspace packages ship as TypeScript
// sources, so they are bundled in; third-party packages stay external and load from
// node_modules, as in any Node.js deployment. A bundle that would contain test code (a test
// file, a test/ folder or the test-support workspace) fails the build: rigs never ship.
import { build } from 'esbuild';
import { writeFile } from 'node:fs/promises';

const entryPoints = {
  'apps/ingress/dist/main': 'apps/ingress/src/main.ts',
  'apps/ingress/dist/signature-check': 'apps/ingress/src/signature-check-cli.ts',
  'apps/worker/dist/main': 'apps/worker/src/main.ts',
  'apps/worker/dist/migrate': 'apps/worker/src/migrate.ts',
};

const TEST_CODE = /(^|\/)(test|test-support)\/|\.test\.ts$/;

const externalThirdParty = {
  name: 'external-third-party',
  setup(builder) {
    builder.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith('@tracksync/') ? undefined : { path: args.path, external: true },
    );
  },
};

const { metafile } = await build({
  entryPoints,
  outdir: '.',
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  sourcemap: true,
  metafile: true,
  logLevel: 'info',
  plugins: [externalThirdParty],
});

// Each bundle's module list, beside it, for anyone asking what ships.
for (const [output, { inputs }] of Object.entries(metafile.outputs)) {
  if (!output.endsWith('.js')) continue;
  const modules = Object.keys(inputs).sort();
  const rigs = modules.filter((module) => TEST_CODE.test(module));
  if (rigs.length > 0) {
    throw new Error(`${output} would bundle test code: ${rigs.join(', ')}`);
  }
  await writeFile(output.replace(/\.js$/, '.modules.txt'), `${modules.join('\n')}\n`);
}
