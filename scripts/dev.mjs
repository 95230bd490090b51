// `npm run dev`: migrations, then ingress (:3000) and worker (admin :3001) in watch mode against
// the local Postgres and Redis, with readable logs. Ctrl-C stops both.
import { spawn } from 'node:child_process';

const env = {
  SOURCE_ADAPTER: 'log',
  ADMIN_TOKEN: 'dev',
  LOG_LEVEL: 'debug',
  ...process.env,
};
const bin = (name) => new URL(`../node_modules/.bin/${name}`, import.meta.url).pathname;

function run(args) {
  return spawn(bin('tsx'), args, { env, stdio: ['ignore', 'pipe', 'inherit'] });
}

const migrate = run(['apps/worker/src/migrate.ts']);
migrate.stdout.pipe(spawn(bin('pino-pretty'), [], { stdio: ['pipe', 'inherit', 'inherit'] }).stdin);
migrate.on('exit', (code) => {
  if (code !== 0) {
    process.stderr.write('migrations failed: is PostgreSQL running at DATABASE_URL?\n');
    process.exit(code ?? 1);
  }
  const apps = ['apps/ingress/src/main.ts', 'apps/worker/src/main.ts'].map((entry) => {
    const child = run(['watch', entry]);
    child.stdout.pipe(
      spawn(bin('pino-pretty'), [], { stdio: ['pipe', 'inherit', 'inherit'] }).stdin,
    );
    return child;
  });
  const stop = () => apps.forEach((child) => child.kill('SIGTERM'));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
});
