import { readFile } from 'node:fs/promises';
import { runSignatureCheck } from './signature/check-command';

/**
 * `npm run signature:check -- --headers captured-headers.txt --body captured-body.bin`:
 * tells an operator which signing scheme one real Starshipit delivery used.
 */
process.exitCode = await runSignatureCheck(process.argv.slice(2), process.env, {
  readFile: (path) => readFile(path),
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
});
