// Bundles each app's entry points into apps/<app>/dist. Workspace packages ship as TypeScript
// sources, so they are bundled in; third-party packages stay external and load from
// node_modules, as in any Node.js deployment.
import { build } from 'esbuild';

const entryPoints = {
  'apps/ingress/dist/main': 'apps/ingress/src/main.ts',
  'apps/ingress/dist/signature-check': 'apps/ingress/src/signature-check-cli.ts',
  'apps/worker/dist/main': 'apps/worker/src/main.ts',
  'apps/worker/dist/migrate': 'apps/worker/src/migrate.ts',
};

const externalThirdParty = {
  name: 'external-third-party',
  setup(builder) {
    builder.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith('@tracksync/') ? undefined : { path: args.path, external: true },
    );
  },
};

await build({
  entryPoints,
  outdir: '.',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: true,
  logLevel: 'info',
  plugins: [externalThirdParty],
});
