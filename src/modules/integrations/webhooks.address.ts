import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/** Resolves a host name to every address it has, as `dns.lookup(host, { all: true })` does. */
export type ResolveHost = (hostname: string) => Promise<Array<{ address: string; family: number }>>;

export const resolveWithDns: ResolveHost = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

// Where a webhook must never go (SSRF, ASVS 5.0 1.3.6): this machine, private networks, link-local
// (which holds the cloud metadata service at 169.254.169.254), carrier-grade NAT (Alibaba's
// metadata at 100.100.100.200), multicast and reserved ranges, and their IPv6 equivalents.
const LOOPBACK: Array<[string, number, 'ipv4' | 'ipv6']> = [
  ['127.0.0.0', 8, 'ipv4'],
  ['::1', 128, 'ipv6'],
];
const NEVER: Array<[string, number, 'ipv4' | 'ipv6']> = [
  ['0.0.0.0', 8, 'ipv4'],
  ['10.0.0.0', 8, 'ipv4'],
  ['100.64.0.0', 10, 'ipv4'],
  ['169.254.0.0', 16, 'ipv4'],
  ['172.16.0.0', 12, 'ipv4'],
  ['192.0.0.0', 24, 'ipv4'],
  ['192.0.2.0', 24, 'ipv4'],
  ['192.88.99.0', 24, 'ipv4'],
  ['192.168.0.0', 16, 'ipv4'],
  ['198.18.0.0', 15, 'ipv4'],
  ['198.51.100.0', 24, 'ipv4'],
  ['203.0.113.0', 24, 'ipv4'],
  ['224.0.0.0', 4, 'ipv4'],
  ['240.0.0.0', 4, 'ipv4'],
  ['::', 128, 'ipv6'],
  ['64:ff9b::', 96, 'ipv6'],
  ['64:ff9b:1::', 48, 'ipv6'],
  ['100::', 64, 'ipv6'],
  ['2001::', 23, 'ipv6'],
  ['2001:db8::', 32, 'ipv6'],
  ['2002::', 16, 'ipv6'],
  ['fc00::', 7, 'ipv6'],
  ['fe80::', 10, 'ipv6'],
  ['fec0::', 10, 'ipv6'],
  ['ff00::', 8, 'ipv6'],
];

function blockList(ranges: Array<[string, number, 'ipv4' | 'ipv6']>): BlockList {
  const list = new BlockList();
  for (const [network, prefix, family] of ranges) list.addSubnet(network, prefix, family);
  return list;
}

const never = blockList(NEVER);
const loopback = blockList(LOOPBACK);

/** An IPv4 address written inside IPv6 (::ffff:10.0.0.1) is judged as the IPv4 address it is. */
function unmapped(address: string): { address: string; family: 'ipv4' | 'ipv6' } {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return { address: mapped[1]!, family: 'ipv4' };
  return { address, family: isIP(address) === 6 ? 'ipv6' : 'ipv4' };
}

/** Whether a webhook may be sent to this IP address. */
export function addressAllowed({ address, allowLoopback }: { address: string; allowLoopback: boolean }): boolean {
  const ip = unmapped(address);
  if (ip.family === 'ipv6' && /^::ffff:/i.test(ip.address)) return false; // other mapped forms: refuse
  if (never.check(ip.address, ip.family)) return false;
  if (loopback.check(ip.address, ip.family)) return allowLoopback;
  return true;
}

export class AddressNotAllowed extends Error {
  constructor(readonly hostname: string, readonly address: string | null) {
    super(address ? `${hostname} resolves to ${address}, which webhooks may not reach` : `${hostname} does not resolve`);
    this.name = 'AddressNotAllowed';
  }
}

/**
 * Resolves the URL's host and checks every address it has: one private address among public
 * ones is enough to refuse, because the connection could use any of them. Returns the address to
 * connect to, so the check and the connection use the same answer (no DNS rebinding in between).
 */
export async function checkedAddress({ hostname, allowLoopback, resolve }: { hostname: string; allowLoopback: boolean; resolve: ResolveHost }): Promise<{ address: string; family: number }> {
  const bare = hostname.replace(/^\[|\]$/g, '');
  let addresses: Array<{ address: string; family: number }>;
  if (isIP(bare)) addresses = [{ address: bare, family: isIP(bare) }];
  else {
    try {
      addresses = await resolve(bare);
    } catch {
      throw new AddressNotAllowed(bare, null);
    }
  }
  if (addresses.length === 0) throw new AddressNotAllowed(bare, null);
  const refused = addresses.find((a) => !addressAllowed({ address: a.address, allowLoopback }));
  if (refused) throw new AddressNotAllowed(bare, refused.address);
  return addresses[0]!;
}
