// Preloaded into the language server by a test (`node --require guard-preload.cjs dist/server.js`):
// every way to open a socket or start a process writes `GUARD: <what> <detail>` to stderr, then
// goes ahead, so the session itself is not disturbed (stdio are pipes the server never connects).
// Worker threads are allowed (the server may parse in one): a worker gets this guard too, and its
// start is noted as `GUARD-INFO:`, which the tests do not count.
'use strict';
const net = require('node:net');
const tls = require('node:tls');
const dgram = require('node:dgram');
const http = require('node:http');
const https = require('node:https');
const childProcess = require('node:child_process');
const workerThreads = require('node:worker_threads');
const nodeModule = require('node:module');

const where = workerThreads.isMainThread ? '' : ` [worker ${workerThreads.threadId}]`;

/** A short, one-line description of a call's arguments (never the whole of a large value). */
function describe(args) {
  try {
    return args
      .filter((a) => typeof a !== 'function')
      .map((a) => (typeof a === 'string' || typeof a === 'number' ? String(a) : JSON.stringify(a, (_, v) => (typeof v === 'function' ? '[fn]' : v))))
      .join(' ')
      .replace(/\s+/g, ' ')
      .slice(0, 200);
  } catch {
    return '?';
  }
}

function wrap(owner, name, label) {
  const original = owner[name];
  if (typeof original !== 'function') return;
  const wrapped = function (...args) {
    process.stderr.write(`GUARD: ${label}${where} ${describe(args)}\n`);
    return new.target ? Reflect.construct(original, args, new.target) : original.apply(this, args);
  };
  Object.defineProperty(wrapped, 'name', { value: original.name });
  owner[name] = wrapped;
}

// Sockets: outgoing (net, tls, http, https, fetch), listening (net/http servers), datagrams.
wrap(net.Socket.prototype, 'connect', 'net.Socket.prototype.connect');
wrap(net, 'connect', 'net.connect');
wrap(net, 'createConnection', 'net.createConnection');
wrap(net.Server.prototype, 'listen', 'net.Server.prototype.listen');
wrap(tls, 'connect', 'tls.connect');
wrap(dgram, 'createSocket', 'dgram.createSocket');
for (const [m, label] of [
  [http, 'http'],
  [https, 'https'],
]) {
  wrap(m, 'request', `${label}.request`);
  wrap(m, 'get', `${label}.get`);
}
if (typeof globalThis.fetch === 'function') wrap(globalThis, 'fetch', 'fetch');

// Processes: the public functions, and the one method every asynchronous one goes through.
for (const f of ['spawn', 'exec', 'execFile', 'fork', 'spawnSync', 'execSync', 'execFileSync'])
  wrap(childProcess, f, `child_process.${f}`);
wrap(childProcess.ChildProcess.prototype, 'spawn', 'ChildProcess.prototype.spawn');

// Worker threads are allowed; each is guarded like the main thread, even with its own execArgv.
const OriginalWorker = workerThreads.Worker;
class GuardedWorker extends OriginalWorker {
  constructor(filename, options = {}) {
    process.stderr.write(`GUARD-INFO: worker_threads.Worker${where} ${describe([String(filename)])}\n`);
    const execArgv = options.execArgv ? ['--require', __filename, ...options.execArgv] : undefined;
    super(filename, execArgv ? { ...options, execArgv } : options);
  }
}
workerThreads.Worker = GuardedWorker;

// `import { spawn } from 'node:child_process'` in ES modules sees the wrapped functions too.
nodeModule.syncBuiltinESMExports();
process.stderr.write(`GUARD-ARMED${where}\n`);
