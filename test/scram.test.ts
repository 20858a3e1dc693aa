// SCRAM-SHA-256 verifiers (server/src/engine/scram.ts) against RFC 7677's exchange and against real
// PostgreSQL 17: the verifier the server computes for a password and salt is the one we compute, the
// strings the server takes for pre-hashed passwords are the ones we call verifiers (or MD5 hashes),
// and a role created with our verifier logs in with the password over scram-sha-256, and not without it.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { isMd5Hash, isScramVerifier, parseScramVerifier, pgBase64Decode, saslprep, scramVerifier } from '../server/src/engine/scram';
import { PgUnavailableError, startPostgres, type PgServer } from './support/postgres';
import { login, withScramRecord } from './support/scram-login';

const literal = (s: string) => `'${s.replace(/'/g, "''")}'`;

test('RFC 7677: a server holding our verifier for "pencil" accepts the RFC client proof and answers its signature', () => {
  const v = parseScramVerifier(scramVerifier('pencil', Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'), 4096))!;
  const clientFirstBare = 'n=user,r=rOprNGfwEbeRWgbNEkqO';
  const serverFirst = 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096';
  const clientFinalWithoutProof = 'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0';
  const authMessage = `${clientFirstBare},${serverFirst},${clientFinalWithoutProof}`;
  const proof = Buffer.from('dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=', 'base64');
  // What the server does (verify_client_proof, verify_final_nonce…): ClientKey = proof XOR HMAC(StoredKey, AuthMessage).
  const clientSignature = createHmac('sha256', v.storedKey).update(authMessage).digest();
  const clientKey = Buffer.from(proof.map((b, i) => b ^ clientSignature[i]));
  assert.deepEqual(createHash('sha256').update(clientKey).digest(), v.storedKey);
  assert.equal(createHmac('sha256', v.serverKey).update(authMessage).digest('base64'), '6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=');
});

test('verifier format: random 16-byte salt, iterations, parse round trip', () => {
  const a = scramVerifier('secret');
  const b = scramVerifier('secret');
  assert.notEqual(a, b, 'a fresh salt each time');
  assert.match(a, /^SCRAM-SHA-256\$4096:[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=:[A-Za-z0-9+/]{43}=$/);
  assert.equal(pgBase64Decode(parseScramVerifier(a)!.salt)!.length, 16);
  assert.equal(parseScramVerifier(scramVerifier('x', Buffer.alloc(16), 10000))!.iterations, 10000);
  assert.ok(isScramVerifier(a));
  assert.ok(!isScramVerifier('secret'));
  assert.ok(!isScramVerifier(a.replace('SCRAM-SHA-256', 'SCRAM-SHA-1')));
  assert.ok(isMd5Hash('md5' + 'a'.repeat(32)) && !isMd5Hash('md5' + 'A'.repeat(32)) && !isMd5Hash('md5' + 'a'.repeat(31)));
  assert.throws(() => scramVerifier('x', Buffer.alloc(16), 0));
});

test('SASLprep: ASCII untouched, mapping and NFKC applied, prohibited input hashed raw', () => {
  assert.equal(saslprep('p w\t'), 'p w\t');
  assert.equal(saslprep('ﬁ'), 'fi');
  assert.equal(saslprep('a\u00ADb'), 'ab');
  assert.equal(saslprep('a\u00A0b'), 'a b');
  assert.equal(saslprep('A\u030A'), '\u00C5');
  assert.equal(saslprep('ﬁ\u0085'), 'ﬁ\u0085'); // C.2.2 control character: prohibited, raw
  assert.equal(saslprep('\u05D0ﬁ'), '\u05D0ﬁ'); // right-to-left mixed with left-to-right: raw
  assert.equal(saslprep('\u00AD'), '\u00AD'); // maps to nothing at all: raw
});

/** Passwords whose verifier real PostgreSQL computes; ours must be byte for byte the same. */
const PASSWORDS = [
  'pw',
  'correct horse battery staple',
  "it's \\ \"quoted\" $$",
  'x'.repeat(300),
  'pässwörd',
  'ﬁnance', // NFKC: fi
  'soft\u00ADhyphen', // mapped to nothing
  'no\u00A0break', // mapped to a space
  'A\u030Angstr\u00F6m', // NFKC composes
  'ｆｕｌｌｗｉｄｔｈ', // NFKC: fullwidth to ASCII
  'ctl\u0085ﬁ', // prohibited: raw
  '\u05E9\u05DC\u05D5\u05DD', // right-to-left only: allowed
  '\u05D0ﬁ', // bidi violation: raw
  'pw😀', // unassigned in Unicode 3.2: PostgreSQL hashes it raw, which NFKC leaves alone anyway
];

// One server for the three tests below, started on first use and stopped at the end.
let server: Promise<PgServer | PgUnavailableError> | undefined;
after(async () => {
  const s = await server?.catch(() => undefined);
  if (s && !(s instanceof Error)) await s.stop();
});

async function withPg(t: { skip(m: string): void }, fn: (pg: PgServer) => Promise<void>) {
  server ??= startPostgres(17, { ssl: false }).catch((e: unknown) => {
    if (e instanceof PgUnavailableError) return e;
    throw e;
  });
  const s = await server;
  if (s instanceof PgUnavailableError) return t.skip(`PostgreSQL 17 cannot start here: ${s.message.split('\n')[0]}`);
  await fn(s);
}

test('PostgreSQL 17 computes the same verifiers (known answers with its own salts)', { timeout: 120_000 }, async (t) => {
  await withPg(t, async (pg) => {
    await pg.query("SET password_encryption = 'scram-sha-256'");
    for (const [i, password] of PASSWORDS.entries()) {
      for (const iterations of [4096, 1000]) {
        const role = `kat_${i}_${iterations}`;
        await pg.query(`SET scram_iterations = ${iterations}`);
        await pg.query(`CREATE ROLE ${role} PASSWORD ${literal(password)}`);
        const stored: string = (await pg.query('SELECT rolpassword FROM pg_authid WHERE rolname = $1', [role])).rows[0].rolpassword;
        const parsed = parseScramVerifier(stored);
        assert.ok(parsed, `PostgreSQL stored ${stored}, which we do not read as a verifier`);
        assert.equal(parsed.iterations, iterations);
        assert.equal(scramVerifier(password, pgBase64Decode(parsed.salt), iterations), stored, `password ${JSON.stringify(password)}`);
      }
    }
  });
});

test('PostgreSQL 17 takes exactly the strings we call verifiers or MD5 hashes as pre-hashed', { timeout: 120_000 }, async (t) => {
  const good = scramVerifier('pw', Buffer.from('0123456789abcdef'));
  const [, iterSalt, keys] = good.split('$');
  const [stored, server] = keys.split(':');
  const salt = iterSalt.split(':')[1];
  const candidates = [
    good,
    `SCRAM-SHA-256$:${salt}$${stored}:${server}`, // strtok skips the empty field: iterations "<salt>$<stored>"
    `SCRAM-SHA-256$4096::${salt}$${stored}:${server}`, // strtok: "::" is one separator
    `$$SCRAM-SHA-256$$4096:${salt}$$${stored}::${server}`,
    `SCRAM-SHA-256$ 12:${salt}$${stored}:${server}`,
    `SCRAM-SHA-256$+12:${salt}$${stored}:${server}`,
    `SCRAM-SHA-256$-1:${salt}$${stored}:${server}`,
    `SCRAM-SHA-256$0:${salt}$${stored}:${server}`,
    `SCRAM-SHA-256$12 :${salt}$${stored}:${server}`,
    `SCRAM-SHA-256$12a:${salt}$${stored}:${server}`,
    `SCRAM-SHA-256$99999999999999999999:${salt}$${stored}:${server}`,
    `SCRAM-SHA-256$4096:$${stored}:${server}`, // no salt: strtok takes the stored key for it
    `SCRAM-SHA-256$4096:abc$${stored}:${server}`, // salt not whole groups
    `SCRAM-SHA-256$4096:ab=c$${stored}:${server}`,
    `SCRAM-SHA-256$4096:a b=$${stored}:${server}`,
    `SCRAM-SHA-256$4096:${salt}$${stored.slice(0, -4)}:${server}`, // stored key too short
    `SCRAM-SHA-256$4096:${salt}$${stored}:${server}AAAA`, // server key too long
    `SCRAM-SHA-256$4096:${salt}$${stored}:${server}:`,
    `SCRAM-SHA-256$4096:${salt}$${stored}`,
    `scram-sha-256$4096:${salt}$${stored}:${server}`,
    `SCRAM-SHA-1$4096:${salt}$${stored}:${server}`,
    `SCRAM-SHA-256$4096:${salt}$${stored}:${server.replace(/=$/, '')}`, // missing padding
    'md5' + '0123456789abcdef'.repeat(2),
    'md5' + '0123456789ABCDEF'.repeat(2),
    'md5' + '0123456789abcdef'.repeat(2) + '0',
    'MD5' + '0123456789abcdef'.repeat(2),
    'plain',
  ];
  await withPg(t, async (pg) => {
    await pg.query("SET password_encryption = 'scram-sha-256'");
    const mismatches: string[] = [];
    for (const [i, c] of candidates.entries()) {
      await pg.query(`CREATE ROLE pre_${i} PASSWORD ${literal(c)}`);
      const kept = (await pg.query('SELECT rolpassword FROM pg_authid WHERE rolname = $1', [`pre_${i}`])).rows[0].rolpassword === c;
      if (kept !== (isScramVerifier(c) || isMd5Hash(c))) mismatches.push(`${c}: PostgreSQL ${kept ? 'keeps' : 'hashes'} it`);
    }
    assert.deepEqual(mismatches, []);
  });
});

test('a role created with our verifier logs in with the password over scram-sha-256, and not with another', { timeout: 120_000 }, async (t) => {
  await withPg(t, async (server) => {
    const password = 'Tr0ub4dor&3 pässwörd';
    const verifier = scramVerifier(password);
    await server.query(`CREATE ROLE scram_login LOGIN PASSWORD ${literal(verifier)}`);
    const stored = (await server.query("SELECT rolpassword FROM pg_authid WHERE rolname = 'scram_login'")).rows[0].rolpassword;
    assert.equal(stored, verifier, 'PostgreSQL stores a verifier as given');

    await withScramRecord(server, 'scram_login', async () => {
      const wrong = await login(server, 'scram_login', 'not the password');
      assert.ok(typeof wrong !== 'string', 'a wrong password was accepted (pg_hba.conf not reloaded?)');
      assert.equal(wrong.code, '28P01', wrong.message);
      assert.match(wrong.message, /password authentication failed for user "scram_login"/);
      assert.equal(await login(server, 'scram_login', password), 'scram_login');
    });
  });
});
