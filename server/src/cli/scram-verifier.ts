// `pg-harden scram-verifier`: turns a password read from standard input into the SCRAM-SHA-256
// verifier PostgreSQL would store, to put in a migration (CREATE ROLE … PASSWORD 'SCRAM-SHA-256$…')
// instead of the password. The password never appears in the output, an error, or on a terminal.
export class PasswordInputError extends Error {}

/** The password: one line, its line ending stripped; typed at a terminal without echo. */
export async function readPassword(stdin: NodeJS.ReadStream, prompt: (s: string) => void): Promise<string> {
  const text = stdin.isTTY ? await readFromTerminal(stdin, prompt) : await readAll(stdin);
  const password = text.replace(/\r?\n$/, '');
  if (/[\r\n]/.test(password)) throw new PasswordInputError('the password must be one line; standard input has several');
  if (password === '') throw new PasswordInputError('the password is empty; refusing to compute a verifier for it');
  return password;
}

async function readAll(stdin: NodeJS.ReadStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** Raw mode, so the terminal does not echo what is typed; Enter ends, Ctrl-C and Ctrl-D cancel. */
function readFromTerminal(stdin: NodeJS.ReadStream, prompt: (s: string) => void): Promise<string> {
  prompt('Password: ');
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stdin.resume();
  let typed = '';
  return new Promise((resolve, reject) => {
    const finish = (error?: Error) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      prompt('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (data: string) => {
      for (const c of data) {
        if (c === '\r' || c === '\n') return finish();
        if (c === '\u0003' || c === '\u0004') return finish(new PasswordInputError('cancelled'));
        if (c === '\u007f' || c === '\b') typed = [...typed].slice(0, -1).join('');
        else typed += c;
      }
    };
    stdin.on('data', onData);
  });
}
