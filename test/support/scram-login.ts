// Logging in as a role over a scram-sha-256 pg_hba.conf record of a harness server: the proof that
// a stored verifier works. The harness trusts 127.0.0.1; this swaps in a record that asks the role
// for its password, waits for the reload to take, and puts the trusting file back.
import * as fsp from 'node:fs/promises';
import pg from 'pg';
import type { PgServer } from './postgres';

const TRUSTING = ['local all all trust', 'host all all 127.0.0.1/32 trust', ''].join('\n');

/** The role's current_user after logging in with `password`, or the error PostgreSQL answered. */
export async function login(server: PgServer, role: string, password: string): Promise<string | (Error & { code?: string })> {
  const c = new pg.Client({ host: '127.0.0.1', port: server.port, user: role, password, database: 'postgres', ssl: false, connectionTimeoutMillis: 5000 });
  c.on('error', () => undefined);
  try {
    await c.connect();
    return (await c.query('SELECT current_user AS u')).rows[0].u as string;
  } catch (e) {
    return e as Error & { code?: string };
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** Runs `fn` while `role` must give its password over scram-sha-256 (a wrong one is refused first, so the reload has taken). */
export async function withScramRecord<T>(server: PgServer, role: string, fn: () => Promise<T>): Promise<T> {
  await fsp.writeFile(server.hbaFile, ['local all all trust', `host all ${role} 127.0.0.1/32 scram-sha-256`, 'host all all 127.0.0.1/32 trust', ''].join('\n'));
  await server.query('SELECT pg_reload_conf()');
  try {
    // The postmaster reloads pg_hba.conf asynchronously: wait until trust no longer lets a wrong password in.
    for (let i = 0; i < 100 && typeof (await login(server, role, '\u0000not the password')) === 'string'; i++) await new Promise((r) => setTimeout(r, 100));
    return await fn();
  } finally {
    await fsp.writeFile(server.hbaFile, TRUSTING);
    await server.query('SELECT pg_reload_conf()');
  }
}
