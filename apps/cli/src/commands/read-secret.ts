import { usageError } from '../errors.js';

/** Far above the keystore's 64 KiB value limit (which names the real limit), low enough that a mistaken `< /dev/zero` stops. */
const MAX_STDIN_BYTES = 1024 * 1024;

/**
 * A secret value from stdin, never from argv (it would land in shell history and `ps`).
 * Piped: everything up to EOF, less one trailing newline (`echo "$KEY" | cairn secrets set ...`).
 * A terminal: a prompt on stderr and a line read without echo.
 */
export async function readSecretValue(what: string): Promise<string> {
  const text = process.stdin.isTTY ? await promptHidden(`${what} (input hidden): `) : await readPipedStdin();
  const value = text.replace(/\r?\n$/, '');
  if (value === '') throw usageError(`no ${what} on stdin: pipe it in (cairn secrets set <service> <id> < file), never on the command line`);
  return value;
}

async function readPipedStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes > MAX_STDIN_BYTES) throw usageError(`stdin holds more than ${MAX_STDIN_BYTES} bytes: not a secret value`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Raw mode, so the terminal does not echo: Enter ends, Backspace erases, Ctrl-C and Ctrl-D abort. */
function promptHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (error?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (data: Buffer) => {
      for (const char of data.toString('utf8')) {
        if (char === '\r' || char === '\n') return finish();
        if (char === '\u0003' || char === '\u0004') return finish(usageError('aborted: no value read'));
        if (char === '\u007f' || char === '\b') value = [...value].slice(0, -1).join('');
        else value += char;
      }
    };
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on('data', onData);
  });
}
