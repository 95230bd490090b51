import { commaList } from '@tracksync/runtime';
import { parseArgs } from 'node:util';
import { checkCapturedRequest, formatCheckReport, parseCapturedHeaders } from './check';
import { SIGNATURE_HEADER } from './verify';

export interface CommandIo {
  readFile(path: string): Promise<Buffer>;
  out(text: string): void;
  err(text: string): void;
}

export const EXIT = { match: 0, noMatch: 1, usage: 2 } as const;

export const USAGE = `usage: npm run signature:check -- --headers <file> --body <file> [--secret <secret>]...

Reports which candidate scheme produced the ${SIGNATURE_HEADER} header of one captured
Starshipit delivery.

  --headers <file>     raw HTTP header lines ("Name: value"), a request line first is fine
  --signature <value>  the header value itself, instead of --headers
  --body <file>        the exact raw body bytes that were received
  --secret <secret>    the webhook secret; repeat for several. When absent, the comma-separated
                       STARSHIPIT_WEBHOOK_SECRET environment variable is used, which keeps the
                       secret out of shell history.

exit code: 0 a scheme matches, 1 none matches, 2 usage error
`;

class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The signature:check command, with its I/O passed in so it can be tested without files. */
export async function runSignatureCheck(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  io: CommandIo,
): Promise<number> {
  try {
    const options = readOptions(argv);
    if (options.help) {
      io.out(USAGE);
      return EXIT.match;
    }
    const secrets = options.secret.length > 0 ? options.secret : readEnvSecrets(env);
    if (secrets.length === 0) {
      throw new UsageError('no secret: pass --secret or set STARSHIPIT_WEBHOOK_SECRET');
    }
    const signature = options.signature ?? (await readSignatureHeader(options.headers, io));
    if (!options.body) throw new UsageError('--body <file> is required');
    const body = await readInput(options.body, io);
    const report = checkCapturedRequest({ signature, body, secrets });
    io.out(formatCheckReport(report));
    return report.matches.length > 0 ? EXIT.match : EXIT.noMatch;
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.err(`signature:check: ${err.message}\n\n${USAGE}`);
    return EXIT.usage;
  }
}

interface Options {
  headers?: string;
  signature?: string;
  body?: string;
  secret: string[];
  help: boolean;
}

function readOptions(argv: readonly string[]): Options {
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        headers: { type: 'string' },
        signature: { type: 'string' },
        body: { type: 'string' },
        secret: { type: 'string', multiple: true, default: [] },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    });
    return { ...values, secret: values.secret.filter((secret) => secret.trim() !== '') };
  } catch (err) {
    // parseArgs reports unknown or incomplete options; its message names the option.
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

function readEnvSecrets(env: NodeJS.ProcessEnv): string[] {
  return commaList.parse(env.STARSHIPIT_WEBHOOK_SECRET ?? '');
}

async function readSignatureHeader(path: string | undefined, io: CommandIo): Promise<string> {
  if (!path) throw new UsageError('--headers <file> (or --signature <value>) is required');
  const headers = parseCapturedHeaders((await readInput(path, io)).toString('utf8'));
  const signature = headers.get(SIGNATURE_HEADER);
  if (signature === undefined) {
    const names = [...headers.keys()].join(', ') || 'none';
    throw new UsageError(`${path} has no ${SIGNATURE_HEADER} header (headers found: ${names})`);
  }
  return signature;
}

async function readInput(path: string, io: CommandIo): Promise<Buffer> {
  try {
    return await io.readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new UsageError(`cannot read ${path}: ${code}`);
  }
}
