import { REPO_ROOT } from '@tracksync/test-support';
import { execFile } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const tsx = join(REPO_ROOT, 'node_modules/.bin/tsx');
const cli = join(REPO_ROOT, 'apps/ingress/src/signature-check-cli.ts');

const secret = 'spawned-cli-secret';
const body = Buffer.from('{"order_number":"API-TEST-1001","tracking_status":"Dispatched"}\n');
const signature = createHmac('sha256', secret).update(body).digest('base64');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      tsx,
      [cli, ...args],
      { cwd: REPO_ROOT, env: { PATH: process.env.PATH, ...env } },
      (_error, stdout, stderr) => {
        resolve({ code: child.exitCode, stdout, stderr });
      },
    );
  });
}

describe.concurrent('signature:check command', () => {
  let dir: string;
  let headersFile: string;
  let bodyFile: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tracksync-signature-'));
    headersFile = join(dir, 'captured-headers.txt');
    bodyFile = join(dir, 'captured-body.bin');
    await writeFile(
      headersFile,
      `POST /callback/ HTTP/1.1\r\ncontent-type: application/json\r\n` +
        `x-starshipit-signature: ${signature}\r\nexpect: 100-continue\r\n\r\n`,
    );
    await writeFile(bodyFile, body);
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads the secret from the environment, prints the match and exits 0', async () => {
    const run = await runCli(['--headers', headersFile, '--body', bodyFile], {
      STARSHIPIT_WEBHOOK_SECRET: secret,
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('MATCH hmac-sha256');
    expect(run.stdout).toContain('signature base64, no prefix, secret 1 of 1');
    expect(run.stdout).not.toContain(secret);
  });

  it('exits 1 when the secret does not match', async () => {
    const run = await runCli(['--headers', headersFile, '--body', bodyFile, '--secret', 'wrong']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('no candidate scheme matches');
  });

  it('exits 2 with usage when an argument is missing', async () => {
    const run = await runCli(['--body', bodyFile, '--secret', secret]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('usage: npm run signature:check');
  });
});
