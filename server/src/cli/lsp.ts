// `pg-harden lsp --stdio`: the language server of the VS Code extension, for any LSP client
// (Neovim, Helix, Zed, Emacs, JetBrains): dist/server.js itself, which sits beside the CLI's bundle.

/** The transports createConnection reads from the command line, and the client's process id it watches. */
const TRANSPORT = /^--(stdio|node-ipc)$/;
const ALLOWED = /^--(stdio|node-ipc|clientProcessId=\d+)$/;

/** The problem with the arguments, or undefined when the server can start with them. */
export function lspArgumentError(args: string[]): string | undefined {
  const unknown = args.find((a) => !ALLOWED.test(a));
  if (unknown !== undefined) return `unknown option "${unknown}" for "pg-harden lsp" (it takes --stdio)`;
  if (!args.some((a) => TRANSPORT.test(a))) return '"pg-harden lsp" needs a transport: pg-harden lsp --stdio';
  return undefined;
}

/**
 * Runs until the client shuts the server down and closes the stream. createConnection finds --stdio
 * in process.argv itself; reading the streams that way (not passing them) also sends console output
 * to the client's log instead of into the protocol on stdout.
 */
export function startLanguageServer(): void {
  // The server bundle starts the server as it loads. Required by a literal path, left unbundled
  // (scripts/build.mjs): the CLI does not carry a second copy of the server and its LSP library.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('./server.js');
}
