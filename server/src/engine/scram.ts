// SCRAM-SHA-256 password verifiers exactly as PostgreSQL stores them in pg_authid.rolpassword
// (src/common/scram-common.c scram_build_secret, src/backend/libpq/auth-scram.c parse_scram_secret):
//
//   SCRAM-SHA-256$<iterations>:<base64 salt>$<base64 StoredKey>:<base64 ServerKey>
//
//   SaltedPassword = PBKDF2-HMAC-SHA-256(SASLprep(password), salt, iterations)   (RFC 5802 Hi())
//   StoredKey      = SHA-256(HMAC-SHA-256(SaltedPassword, "Client Key"))
//   ServerKey      = HMAC-SHA-256(SaltedPassword, "Server Key")
//
// A role created with such a verifier (CREATE ROLE … PASSWORD 'SCRAM-SHA-256$…') logs in with the
// password it was computed from, and neither the statement nor the server log reveals the password.
// node:crypto is loaded only when a verifier is computed: it costs every start about 10 ms otherwise.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const crypto = () => require('node:crypto') as typeof import('node:crypto');

/** PostgreSQL's default scram_iterations (the setting exists from 16; 4096 is fixed before that). */
export const SCRAM_DEFAULT_ITERATIONS = 4096;
/** pg_be_scram_build_secret draws a 16-byte random salt (SCRAM_DEFAULT_SALT_LEN). */
export const SCRAM_SALT_LENGTH = 16;
const KEY_LENGTH = 32; // SCRAM_SHA_256_KEY_LEN

/** The verifier PostgreSQL would store for `password` with `salt` (random when omitted). */
export function scramVerifier(password: string, salt: Buffer = crypto().randomBytes(SCRAM_SALT_LENGTH), iterations = SCRAM_DEFAULT_ITERATIONS): string {
  if (!Number.isInteger(iterations) || iterations < 1) throw new RangeError(`iterations must be a positive integer, not ${iterations}`);
  const { createHash, createHmac, pbkdf2Sync } = crypto();
  const salted = pbkdf2Sync(Buffer.from(saslprep(password), 'utf8'), salt, iterations, KEY_LENGTH, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

export interface ScramSecret {
  iterations: number;
  /** The salt, base64 as stored. */
  salt: string;
  storedKey: Buffer;
  serverKey: Buffer;
}

/**
 * The parts of a verifier, or undefined when PostgreSQL would not take the string for one (it then
 * treats the string as a plain password and hashes it): a port of parse_scram_secret.
 */
export function parseScramVerifier(s: string): ScramSecret | undefined {
  const fields = strtok(s, ['$', ':', '$', ':', '']);
  if (!fields) return undefined;
  const [scheme, iterationsText, salt, storedText, serverText] = fields;
  if (scheme !== 'SCRAM-SHA-256') return undefined;
  // strtol(…, &p, 10) with *p == '\0' and no ERANGE: blanks and a sign may lead, nothing may follow.
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)$/.exec(iterationsText);
  if (!m || BigInt(m[1]) > 2n ** 63n - 1n || BigInt(m[1]) < -(2n ** 63n)) return undefined;
  const iterations = Number(m[1]);
  if (!pgBase64Decode(salt)) return undefined;
  const storedKey = pgBase64Decode(storedText);
  const serverKey = pgBase64Decode(serverText);
  if (storedKey?.length !== KEY_LENGTH || serverKey?.length !== KEY_LENGTH) return undefined;
  return { iterations, salt, storedKey, serverKey };
}

/**
 * C's strtok over `s` with one set of delimiters per call: each call skips leading delimiters and
 * returns the text up to the next one (so empty fields never come out); '' takes the rest. Undefined
 * when a call finds nothing (strtok returns NULL).
 */
function strtok(s: string, delimiters: string[]): string[] | undefined {
  const out: string[] = [];
  let pos = 0;
  for (const d of delimiters) {
    while (pos < s.length && d.includes(s[pos])) pos++;
    if (pos >= s.length) return undefined;
    let end = pos;
    while (end < s.length && !d.includes(s[end])) end++;
    out.push(s.slice(pos, end));
    pos = Math.min(end + 1, s.length);
  }
  return out;
}

/** True when PostgreSQL stores `s`, given as a password, as a SCRAM-SHA-256 verifier (as is). */
export function isScramVerifier(s: string): boolean {
  return parseScramVerifier(s) !== undefined;
}

/** True when PostgreSQL takes `s`, given as a password, for an MD5 hash (get_password_type: "md5" and 32 lower-case hex digits). */
export function isMd5Hash(s: string): boolean {
  return /^md5[0-9a-f]{32}$/.test(s);
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** src/common/base64.c pg_b64_decode: no blanks, '=' only as padding, whole groups of four; undefined on error. */
export function pgBase64Decode(s: string): Buffer | undefined {
  const out: number[] = [];
  let buf = 0;
  let pos = 0;
  let end = 0;
  for (const c of s) {
    let b: number;
    if (c === '=') {
      if (!end) {
        if (pos === 2) end = 1;
        else if (pos === 3) end = 2;
        else return undefined;
      }
      b = 0;
    } else {
      b = B64.indexOf(c);
      if (b < 0) return undefined;
    }
    buf = ((buf << 6) + b) >>> 0;
    pos++;
    if (pos === 4) {
      out.push((buf >> 16) & 255);
      if (end === 0 || end > 1) out.push((buf >> 8) & 255);
      if (end === 0 || end > 2) out.push(buf & 255);
      buf = 0;
      pos = 0;
    }
  }
  if (pos !== 0) return undefined;
  return Buffer.from(out);
}

// ---------------------------------------------------------------------------------------------
// SASLprep (RFC 4013), as src/common/saslprep.c applies it; when it fails PostgreSQL hashes the
// raw password instead, and so do we.
//
// Exact for ASCII passwords (returned unchanged, as PostgreSQL does) and for the mapping step (the
// RFC's tables B.1 and C.1.2 are small and copied below), for NFKC normalization and for the
// prohibited-output tables. Two approximations, both documented where they are used:
// - "unassigned code point" (RFC 3454 table A.1, Unicode 3.2) is read as unassigned in the Unicode
//   version of this JavaScript engine; characters assigned after 3.2 (most emoji, for instance) are
//   unassigned to PostgreSQL, which then hashes the raw password;
// - the bidirectional check uses the Hebrew, Arabic, Syriac, Thaana and N'Ko scripts for the
//   right-to-left characters (table D.1) and other letters for the left-to-right ones (D.2).
// A password where these differ and that also contains something the mapping or NFKC changes
// would get a different verifier than the server computes; pure ASCII never does.

const NON_ASCII_SPACE = /[\u00A0\u1680\u2000-\u200B\u202F\u205F\u3000]/gu; // C.1.2
const MAPPED_TO_NOTHING = /[\u00AD\u034F\u1806\u180B-\u180D\u200B-\u200D\u2060\uFE00-\uFE0F\uFEFF]/gu; // B.1
const PROHIBITED = new RegExp(
  [
    '[\\u00A0\\u1680\\u2000-\\u200B\\u202F\\u205F\\u3000]', // C.1.2 non-ASCII space
    '[\\u0000-\\u001F\\u007F]', // C.2.1 ASCII control
    '[\\u0080-\\u009F\\u06DD\\u070F\\u180E\\u200C\\u200D\\u2028\\u2029\\u2060-\\u2063\\u206A-\\u206F\\uFEFF\\uFFF9-\\uFFFC\\u{1D173}-\\u{1D17A}]', // C.2.2
    '[\\uE000-\\uF8FF\\u{F0000}-\\u{FFFFD}\\u{100000}-\\u{10FFFD}]', // C.3 private use
    '[\\uFDD0-\\uFDEF\\uFFFE\\uFFFF\\u{1FFFE}\\u{1FFFF}\\u{2FFFE}\\u{2FFFF}\\u{3FFFE}\\u{3FFFF}\\u{4FFFE}\\u{4FFFF}\\u{5FFFE}\\u{5FFFF}\\u{6FFFE}\\u{6FFFF}\\u{7FFFE}\\u{7FFFF}\\u{8FFFE}\\u{8FFFF}\\u{9FFFE}\\u{9FFFF}\\u{AFFFE}\\u{AFFFF}\\u{BFFFE}\\u{BFFFF}\\u{CFFFE}\\u{CFFFF}\\u{DFFFE}\\u{DFFFF}\\u{EFFFE}\\u{EFFFF}\\u{FFFFE}\\u{FFFFF}\\u{10FFFE}\\u{10FFFF}]', // C.4 non-characters
    '[\\uD800-\\uDFFF]', // C.5 surrogates (lone ones only: pairs are read as one code point)
    '[\\uFFF9-\\uFFFD]', // C.6
    '[\\u2FF0-\\u2FFB]', // C.7
    '[\\u0340\\u0341\\u200E\\u200F\\u202A-\\u202E\\u206A-\\u206F]', // C.8
    '[\\u{E0001}\\u{E0020}-\\u{E007F}]', // C.9 tagging
    '\\p{Cn}', // A.1 unassigned (approximation: this engine's Unicode version, not 3.2)
  ].join('|'),
  'u',
);
const RAND_AL = /[\p{Script=Hebrew}\p{Script=Arabic}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}\u200F]/u;
const isLeftToRight = (c: string) => /[\p{L}\p{Mc}]/u.test(c) && !RAND_AL.test(c);

/** The password PostgreSQL hashes: SASLprep'd when that succeeds, else the raw password. */
export function saslprep(password: string): string {
  if (/^[\x00-\x7F]*$/.test(password)) return password;
  // Invalid UTF-8 (here: a lone surrogate) or over 1024 characters: PostgreSQL gives up and hashes the raw bytes.
  if ([...password].length > 1024 || /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(password)) return password;
  const mapped = password.replace(NON_ASCII_SPACE, ' ').replace(MAPPED_TO_NOTHING, '');
  if (mapped === '') return password;
  const out = mapped.normalize('NFKC');
  if (PROHIBITED.test(out)) return password;
  const chars = [...out];
  if (chars.some((c) => RAND_AL.test(c))) {
    if (chars.some(isLeftToRight)) return password;
    if (!RAND_AL.test(chars[0]) || !RAND_AL.test(chars[chars.length - 1])) return password;
  }
  return out;
}
