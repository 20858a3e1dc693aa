import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  cidrMask,
  formatIp,
  isLoopbackRange,
  isWorldRange,
  makeRange,
  parseNumericHost,
  prefixLength,
  rangeCovers,
  type Family,
  type Ip,
  type IpRange,
} from '../server/src/engine/hba/address';

/*
 * Expected values come from glibc 2.36 (Debian 12) itself: a C program calling
 * getaddrinfo(s or NULL when empty, NULL, {AI_NUMERICHOST, AF_UNSPEC}) as parse_hba_line does, and
 * printing inet_ntop of the result. Every failure was rc=-2 EAI_NONAME "Name or service not known".
 * The module also matched that program on 600,000 random and mutated strings.
 */
const show = (r: ReturnType<typeof parseNumericHost>) =>
  r === 'hostname' ? 'hostname' : 'gaiError' in r ? `gai: ${r.gaiError}` : `v${r.family} ${formatIp(r)}`;

function ip(text: string): Ip {
  const r = parseNumericHost(text);
  assert.ok(typeof r === 'object' && 'bytes' in r, text);
  return r;
}

function range(text: string, mask?: string): IpRange {
  const [addr, len] = text.split('/');
  const a = ip(addr);
  const m = mask !== undefined ? ip(mask).bytes : cidrMask(len ?? String(a.bytes.length * 8), a.family);
  assert.ok(m, text);
  return makeRange(a, m);
}

describe('parseNumericHost: IPv4 (glibc __inet_aton_exact)', () => {
  const cases: [string, string][] = [
    ['127.0.0.1', 'v4 127.0.0.1'],
    ['0.0.0.0', 'v4 0.0.0.0'],
    ['255.255.255.255', 'v4 255.255.255.255'],
    // inet_aton shorthand: the last part fills the remaining bytes
    ['127.1', 'v4 127.0.0.1'],
    ['10.1.2', 'v4 10.1.0.2'],
    ['10.1.65535', 'v4 10.1.255.255'],
    ['10.1.65536', 'hostname'],
    ['10.16777215', 'v4 10.255.255.255'],
    ['10.16777216', 'hostname'],
    ['2130706433', 'v4 127.0.0.1'], // one 32-bit number
    ['1', 'v4 0.0.0.1'],
    ['0', 'v4 0.0.0.0'],
    ['4294967295', 'v4 255.255.255.255'],
    ['4294967296', 'hostname'],
    // C literals: 0x hex (either case), leading 0 octal
    ['0x7f.1', 'v4 127.0.0.1'],
    ['0X7F.1', 'v4 127.0.0.1'],
    ['0x7f000001', 'v4 127.0.0.1'],
    ['0xFFFFFFFF', 'v4 255.255.255.255'],
    ['0x100000000', 'hostname'],
    ['0x00000000000000000007f.0.0.1', 'v4 127.0.0.1'],
    ['0177.0.0.1', 'v4 127.0.0.1'],
    ['017700000001', 'v4 127.0.0.1'],
    ['00000000000000000000000000127.0.0.1', 'v4 87.0.0.1'], // surprising but right: 0127 is octal 87
    ['08.1.1.1', 'hostname'], // 8 is not an octal digit
    ['09', 'hostname'],
    ['0x', 'hostname'],
    ['0x.1', 'hostname'],
    // out of range parts or malformed dots: a host name, not an error
    ['10.0.0.300', 'hostname'],
    ['10.0.0.256', 'hostname'],
    ['256.0.0.1', 'hostname'],
    ['1.2.3.4.5', 'hostname'],
    ['1.2.3.', 'hostname'],
    ['1..2', 'hostname'],
    ['.1.2.3', 'hostname'],
    ['-1', 'hostname'],
    ['+1', 'hostname'],
    ['1e3', 'hostname'],
    // inet_aton itself stops at whitespace, but getaddrinfo uses the exact variant
    ['1.2.3.4x', 'hostname'],
    ['1.2.3.4 ', 'hostname'],
    [' 1.2.3.4', 'hostname'],
    ['1.2.3.4 x', 'hostname'],
    ['1.2.3.4\t', 'hostname'],
    ['1.2.3.4%1', 'hostname'], // zone ids are IPv6 only
    ['1.2.3.4%lo', 'hostname'],
  ];
  for (const [input, want] of cases) it(JSON.stringify(input), () => assert.equal(show(parseNumericHost(input)), want));
});

describe('parseNumericHost: IPv6 (glibc inet_pton)', () => {
  const cases: [string, string][] = [
    ['::', 'v6 ::'],
    ['::1', 'v6 ::1'],
    ['::ffff:1.2.3.4', 'v6 ::ffff:1.2.3.4'],
    ['::FFFF:1.2.3.4', 'v6 ::ffff:1.2.3.4'],
    ['::ffff:0:0', 'v6 ::ffff:0.0.0.0'],
    ['::1.2.3.4', 'v6 ::1.2.3.4'],
    ['1::2:3', 'v6 1::2:3'],
    ['ABCD::EF', 'v6 abcd::ef'],
    ['0001::', 'v6 1::'],
    ['1:2:3:4:5:6:7:8', 'v6 1:2:3:4:5:6:7:8'],
    ['1:2:3:4:5:6:7::', 'v6 1:2:3:4:5:6:7:0'], // '::' may stand for a single group
    ['::2:3:4:5:6:7:8', 'v6 0:2:3:4:5:6:7:8'],
    ['1:2:3:4:5:6:1.2.3.4', 'v6 1:2:3:4:5:6:102:304'],
    ['1:2:3:4:5:6:7:8:9', 'hostname'],
    ['1:2:3:4:5:6:7:8::', 'hostname'], // '::' for zero groups
    ['::1:2:3:4:5:6:7:8', 'hostname'],
    ['1:2:3:4:5:6:7', 'hostname'],
    ['1:2:3:4:5:6:7:1.2.3.4', 'hostname'],
    [':::', 'hostname'],
    ['1:::2', 'hostname'],
    ['1::2::3', 'hostname'],
    [':1', 'hostname'],
    ['1:', 'hostname'],
    ['1::2:', 'hostname'],
    [':1::2', 'hostname'],
    ['12345::', 'hostname'],
    ['01234::', 'hostname'], // five hex digits even with a leading zero
    ['::g', 'hostname'],
    // the embedded IPv4 is strict inet_pton4: 4 decimal octets, no leading zero, only at the end
    ['::01.2.3.4', 'hostname'],
    ['::1.2.3', 'hostname'],
    ['::1.2.3.4.5', 'hostname'],
    ['::256.1.1.1', 'hostname'],
    ['::127.1', 'hostname'],
    ['::0x7f.1', 'hostname'],
    ['::1.2.3.4:5', 'hostname'],
    ['1.2.3.4::', 'hostname'],
    // no brackets, no spaces
    ['[::1]', 'hostname'],
    ['[::1', 'hostname'],
    [' ::1', 'hostname'],
    ['::1 ', 'hostname'],
  ];
  for (const [input, want] of cases) it(JSON.stringify(input), () => assert.equal(show(parseNumericHost(input)), want));
});

describe('parseNumericHost: zone ids (glibc __inet6_scopeid_pton)', () => {
  // glibc resolved fe80::1%eth0 on the test machine (it has eth0); we only assume lo exists.
  const cases: [string, string][] = [
    ['fe80::1%1', 'v6 fe80::1'],
    ['fe80::1%0', 'v6 fe80::1'],
    ['fe80::1%01', 'v6 fe80::1'],
    ['fe80::1%4294967295', 'v6 fe80::1'],
    ['fe80::1%4294967296', 'hostname'],
    ['fe80::1%', 'hostname'],
    ['fe80::1%1x', 'hostname'],
    ['fe80::1%+1', 'hostname'],
    ['fe80::1% 1', 'hostname'],
    ['fe80::1%1%2', 'hostname'],
    ['::1%1', 'v6 ::1'], // a numeric zone is taken on any address
    ['2001:db8::1%2', 'v6 2001:db8::1'],
    ['::%1', 'v6 ::'],
    ['::ffff:127.0.0.1%1', 'v6 ::ffff:127.0.0.1'],
    ['%1', 'hostname'],
    // an interface name only on link-local unicast, and node/link-local multicast addresses
    ['fe80::1%lo', 'v6 fe80::1'],
    ['fe80::%lo', 'v6 fe80::'],
    ['febf::1%lo', 'v6 febf::1'],
    ['ff01::1%lo', 'v6 ff01::1'],
    ['ff02::1%lo', 'v6 ff02::1'],
    ['ff12::1%lo', 'v6 ff12::1'],
    ['ff05::1%lo', 'hostname'],
    ['fec0::1%lo', 'hostname'],
    ['::1%lo', 'hostname'], // surprising: lo exists, but ::1 is not link-local
    ['2001:db8::1%lo', 'hostname'],
    ['fe80::1%LO', 'hostname'],
    ['fe80::1%nonexistent', 'hostname'],
    ['fe80::1%eth0', 'hostname'], // depends on the server; unknown here
    // Linux's SIOCGIFINDEX cuts an alias suffix at ':'; if_nametoindex refuses 16+ bytes
    ['fe80::1%lo:0', 'v6 fe80::1'],
    ['fe80::1%lo:', 'v6 fe80::1'],
    ['fe80::1%lo: x', 'v6 fe80::1'],
    ['fe80::1%lo:123456789012', 'v6 fe80::1'],
    ['fe80::1%lo:1234567890123', 'hostname'],
    ['fe80::1%lo:é1234567890', 'v6 fe80::1'], // 15 bytes in UTF-8
    ['fe80::1%lo:é12345678901', 'hostname'], // 16 bytes
    ['fe80::1%:', 'hostname'],
    ['::1%lo:', 'hostname'],
  ];
  for (const [input, want] of cases) it(JSON.stringify(input), () => assert.equal(show(parseNumericHost(input)), want));

  it('takes the interfaces the caller knows exist on the server', () => {
    assert.equal(show(parseNumericHost('fe80::1%eth0', ['lo', 'eth0'])), 'v6 fe80::1');
    assert.equal(show(parseNumericHost('fe80::1%eth0:1', ['eth0'])), 'v6 fe80::1');
    assert.equal(show(parseNumericHost('fe80::1%lo', [])), 'hostname');
    assert.equal(show(parseNumericHost('::1%eth0', ['eth0'])), 'hostname');
  });
});

describe('parseNumericHost: host names', () => {
  // pg_getaddrinfo_all passes '' as NULL and glibc reads '*' as NULL: both EAI_NONAME
  for (const input of ['myhost', '.example.com', 'localhost', '', '*', 'a/b', 'é', '١٢٧.0.0.1'])
    it(JSON.stringify(input), () => assert.equal(parseNumericHost(input), 'hostname'));

  it('sees a string only up to a NUL, as C does', () => {
    assert.equal(show(parseNumericHost('1.2.3.4\0junk')), 'v4 1.2.3.4');
  });

  it('never throws and never reports a gai error (glibc only fails with EAI_NONAME here)', () => {
    const alphabet = '0123456789abcdefxX.:%/ lo+-[]\0é';
    let seed = 1;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    for (let i = 0; i < 5000; i++) {
      const s = Array.from({ length: rand(16) }, () => alphabet[rand(alphabet.length)]).join('');
      const r = parseNumericHost(s);
      assert.ok(r === 'hostname' || !('gaiError' in r), s);
    }
  });
});

describe('cidrMask (pg_sockaddr_cidr_mask: strtol, then 0..32 or 0..128)', () => {
  // [text, prefix for IPv4, prefix for IPv6]; undefined = "invalid CIDR mask in address"
  const cases: [string, number | undefined, number | undefined][] = [
    ['0', 0, 0],
    ['8', 8, 8],
    ['32', 32, 32],
    ['33', undefined, 33],
    ['128', undefined, 128],
    ['129', undefined, undefined],
    ['-1', undefined, undefined],
    ['-0', 0, 0], // strtol: a sign is allowed, and -0 is 0
    ['+8', 8, 8],
    ['08', 8, 8], // base 10, not octal
    ['00000000000000000000000000000032', 32, 32],
    [' 8', 8, 8], // strtol skips leading C whitespace (reachable with a quoted token)
    ['\t8', 8, 8],
    ['\n8', 8, 8],
    ['\v8', 8, 8],
    ['\f8', 8, 8],
    ['\r8', 8, 8],
    ['\u00a08', undefined, undefined],
    ['8 ', undefined, undefined], // but no trailing anything
    ['+ 8', undefined, undefined],
    ['', undefined, undefined],
    [' ', undefined, undefined],
    ['-', undefined, undefined],
    ['+', undefined, undefined],
    ['--8', undefined, undefined],
    ['0x8', undefined, undefined],
    ['8a', undefined, undefined],
    ['1e1', undefined, undefined],
    ['8.0', undefined, undefined],
    ['8/8', undefined, undefined],
    ['99999999999999999999999', undefined, undefined], // LONG_MAX after overflow
    ['-99999999999999999999', undefined, undefined],
  ];
  for (const [text, v4, v6] of cases) {
    it(JSON.stringify(text), () => {
      const len = (family: Family) => {
        const m = cidrMask(text, family);
        return m && prefixLength(m);
      };
      assert.equal(len(4), v4);
      assert.equal(len(6), v6);
    });
  }

  it('builds the bytes in network order', () => {
    assert.deepEqual([...cidrMask('0', 4)!], [0, 0, 0, 0]);
    assert.deepEqual([...cidrMask('20', 4)!], [255, 255, 240, 0]);
    assert.deepEqual([...cidrMask('65', 6)!], [...Array(8).fill(255), 128, ...Array(7).fill(0)]);
  });
});

describe('prefixLength', () => {
  const cases: [number[], number | undefined][] = [
    [[255, 255, 255, 0], 24],
    [[255, 255, 255, 255], 32],
    [[0, 0, 0, 0], 0],
    [[255, 128, 0, 0], 9],
    [[255, 0, 255, 0], undefined],
    [[0, 0, 0, 1], undefined],
    [[255, 254, 1, 0], undefined],
    [new Array(16).fill(255), 128],
  ];
  for (const [mask, want] of cases) it(mask.join('.'), () => assert.equal(prefixLength([...mask]), want));
});

describe('makeRange', () => {
  it('masks the address without changing it; prefix masks are shared and cannot be changed', () => {
    const a = ip('10.1.2.3');
    const m = cidrMask('16', 4)!;
    const r = makeRange(a, m);
    assert.deepEqual(r, { family: 4, addr: [10, 1, 0, 0], mask: [255, 255, 0, 0] });
    assert.equal(a.bytes[3], 3);
    assert.equal(cidrMask('16', 4), m);
    assert.throws(() => {
      m[2] = 255;
    }, TypeError);
    assert.deepEqual(cidrMask('16', 4), [255, 255, 0, 0]);
  });

  it('keeps a non-contiguous netmask as is', () => {
    assert.deepEqual([...range('10.1.2.3', '255.0.255.0').addr], [10, 0, 2, 0]);
  });

  it('fits a mask of the wrong length to the family instead of throwing', () => {
    assert.deepEqual([...makeRange(ip('10.1.2.3'), cidrMask('128', 6)!).mask], [255, 255, 255, 255]);
    assert.deepEqual([...makeRange(ip('::1'), cidrMask('32', 4)!).mask], [255, 255, 255, 255, ...Array(12).fill(0)]);
  });
});

describe('rangeCovers ((client ^ addr) & mask) == 0', () => {
  const cases: [string, string, boolean][] = [
    ['0.0.0.0/0', '10.0.0.0/8', true],
    ['10.0.0.0/8', '10.1.0.0/16', true],
    ['10.1.0.0/16', '10.0.0.0/8', false],
    ['10.0.0.0/8', '11.0.0.0/8', false],
    ['10.0.0.0/8', '10.0.0.0/8', true],
    ['10.1.2.3/8', '10.200.0.0/16', true], // host bits of the rule do not matter
    ['127.0.0.1/32', '127.0.0.1/32', true],
    ['::/0', '2001:db8::/32', true],
    ['2001:db8::/32', '2001:db9::/32', false],
    ['::/0', '10.0.0.0/8', false], // families never mix: check_ip compares same-family only
    ['0.0.0.0/0', '::1/128', false],
    ['0.0.0.0/0', '::ffff:10.0.0.0/104', false],
    ['::ffff:0:0/96', '::ffff:10.0.0.0/104', true],
  ];
  for (const [outer, inner, want] of cases)
    it(`${outer} ⊇ ${inner}: ${want}`, () => assert.equal(rangeCovers(range(outer), range(inner)), want));

  it('handles non-contiguous masks', () => {
    // 10.x.2.y: second and fourth bytes free
    const sparse = range('10.0.2.0', '255.0.255.0');
    assert.equal(rangeCovers(sparse, range('10.9.2.0/24')), true);
    assert.equal(rangeCovers(sparse, range('10.9.3.0/24')), false);
    assert.equal(rangeCovers(sparse, range('10.0.0.0/16')), false); // inner lets byte 3 vary
    assert.equal(rangeCovers(range('10.0.0.0/8'), sparse), true);
    assert.equal(rangeCovers(range('10.0.0.0/16'), sparse), false);
    assert.equal(rangeCovers(sparse, range('10.0.2.0', '255.0.255.0')), true);
    assert.equal(rangeCovers(range('10.0.2.0', '255.0.255.0'), range('10.0.2.0', '255.255.255.0')), true);
  });
});

describe('isLoopbackRange and isWorldRange', () => {
  const cases: [string, boolean, boolean][] = [
    ['127.0.0.1/32', true, false],
    ['127.0.0.0/8', true, false],
    ['127.10.0.0/16', true, false],
    ['127.0.0.0/7', false, false],
    ['128.0.0.1/32', false, false],
    ['::1/128', true, false],
    ['::1/127', false, false],
    ['::/128', false, false],
    ['::ffff:127.0.0.1/128', false, false], // never a client: IPv6 sockets are IPV6_V6ONLY
    ['0.0.0.0/0', false, true],
    ['10.0.0.0/0', false, true],
    ['::/0', false, true],
    ['::1/0', false, true],
  ];
  for (const [text, loopback, world] of cases) {
    it(text, () => {
      assert.equal(isLoopbackRange(range(text)), loopback);
      assert.equal(isWorldRange(range(text)), world);
    });
  }
  it('127.0.0.1 with netmask 255.0.0.255 is loopback; 0.0.0.0 with 0.0.0.255 is not world', () => {
    assert.equal(isLoopbackRange(range('127.0.0.1', '255.0.0.255')), true);
    assert.equal(isWorldRange(range('0.0.0.0', '0.0.0.255')), false);
  });
});

describe('formatIp (as glibc inet_ntop)', () => {
  const cases: [string, string][] = [
    ['127.1', '127.0.0.1'],
    ['0:0:0:0:0:0:0:0', '::'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['0:0:0:0:0:0:0:2', '::2'],
    ['1:0:0:0:0:0:0:0', '1::'],
    ['1:0:0:2:0:0:0:3', '1:0:0:2::3'], // longest run
    ['1:0:0:2:0:0:3:4', '1::2:0:0:3:4'], // first of equal runs
    ['1:0:2:3:4:5:6:7', '1:0:2:3:4:5:6:7'], // a single zero group stays
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['0:0:0:0:0:ffff:7f00:1', '::ffff:127.0.0.1'],
    ['0:0:0:0:0:ffff:0:0', '::ffff:0.0.0.0'],
    ['0:0:0:0:0:0:102:304', '::1.2.3.4'],
    ['0:0:0:0:0:0:100:0', '::1.0.0.0'],
    ['0:0:0:0:0:0:0:100', '::100'],
    ['0:0:0:0:0:fffe:102:304', '::fffe:102:304'],
    ['0:0:0:0:1:ffff:102:304', '::1:ffff:102:304'],
    ['0:0:0:0:ffff:0:0:0', '::ffff:0:0:0'],
  ];
  for (const [input, want] of cases) it(`${input} → ${want}`, () => assert.equal(formatIp(ip(input)), want));
});

describe('what parse_hba_line makes of some address fields', () => {
  // Not this module's job, but the composition the record parser relies on.
  const classify = (field: string) => {
    const slash = field.indexOf('/');
    const host = slash < 0 ? field : field.slice(0, slash);
    const r = parseNumericHost(host);
    if (r === 'hostname') return slash < 0 ? 'host name' : 'specifying both host name and CIDR mask is invalid';
    if ('gaiError' in r) return 'invalid IP address';
    if (slash < 0) return 'needs a netmask field';
    return cidrMask(field.slice(slash + 1), r.family) ? 'range' : 'invalid CIDR mask in address';
  };
  const cases: [string, string][] = [
    ['10.0.0.0/8', 'range'],
    ['127.1/32', 'range'],
    ['10.0.0.300/8', 'specifying both host name and CIDR mask is invalid'],
    ['10.0.0.300', 'host name'],
    ['/8', 'specifying both host name and CIDR mask is invalid'],
    ['10.0.0.0/', 'invalid CIDR mask in address'],
    ['10.0.0.0/33', 'invalid CIDR mask in address'],
    ['::1/128', 'range'],
    ['fe80::1%lo/64', 'range'],
    ['::1%lo/128', 'specifying both host name and CIDR mask is invalid'],
    ['[::1]/128', 'specifying both host name and CIDR mask is invalid'],
    ['10.0.0.1', 'needs a netmask field'],
  ];
  for (const [field, want] of cases) it(field, () => assert.equal(classify(field), want));
});
