// Loaded with `node --require` into the language server by a test: every way to open a socket or
// start a process says so on stderr (then goes ahead, so the session itself is not disturbed).
'use strict';
const net = require('node:net');
const tls = require('node:tls');
const dgram = require('node:dgram');
const http = require('node:http');
const https = require('node:https');
const childProcess = require('node:child_process');

function wrap(owner, name, label) {
  const original = owner[name];
  owner[name] = function (...args) {
    process.stderr.write(`GUARD: ${label}\n`);
    return original.apply(this, args);
  };
}
wrap(net.Socket.prototype, 'connect', 'net.Socket.connect');
wrap(net, 'connect', 'net.connect');
wrap(net, 'createConnection', 'net.createConnection');
wrap(tls, 'connect', 'tls.connect');
wrap(dgram, 'createSocket', 'dgram.createSocket');
for (const m of [http, https]) for (const f of ['request', 'get']) wrap(m, f, `http(s).${f}`);
for (const f of ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork']) wrap(childProcess, f, `child_process.${f}`);
if (typeof globalThis.fetch === 'function') wrap(globalThis, 'fetch', 'fetch');
process.stderr.write('GUARD: armed\n');
