// Keeps feeds on users' own clusters off the platform's Kafka. A feed that names `brokers` gets a Kafka client of
// its own whose every connection goes through `guardedSocketFactory`: after DNS, a connection to one of the
// platform's brokers is refused. That covers the names a CREATE gives, other names for the same broker (localhost,
// 0.0.0.0, the machine's own addresses) and brokers a hostile "cluster" advertises in its metadata.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { promises as dns } from 'node:dns';
import net from 'node:net';
import { networkInterfaces } from 'node:os';
import tls from 'node:tls';
import type { ISocketFactory } from 'kafkajs';

/** How kafkajs's own socket factory keeps connections alive. */
const KEEP_ALIVE_MS = 60_000;

export interface BrokerGuard {
  /** Whether a connection to `address:port` (an IP address) would reach the platform's Kafka. */
  isPlatform(address: string, port: number): boolean;
}

/** Error text for a connection the guard refused; also what a CREATE naming such brokers is told. */
export const PLATFORM_BROKERS_TEXT = "Parameter 'brokers' names the platform's own Kafka; leave 'brokers' out to read a topic there.";

const normalize = (address: string): string => {
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return (v4?.[1] ?? address).toLowerCase();
};

/** Addresses that reach this machine: loopback, "any" and its own interfaces. */
function isThisMachine(address: string): boolean {
  const a = normalize(address);
  if (a.startsWith('127.') || a === '::1' || a === '0.0.0.0' || a === '::') return true;
  return Object.values(networkInterfaces()).some((list) => list?.some((i) => normalize(i.address) === a));
}

/** `host:port` or `[v6]:port` → its parts. */
export function splitHostPort(broker: string): { host: string; port: number } {
  const colon = broker.lastIndexOf(':');
  return { host: broker.slice(0, colon).replace(/^\[(.*)\]$/, '$1'), port: Number(broker.slice(colon + 1)) };
}

async function addressesOf(host: string): Promise<string[]> {
  if (net.isIP(host)) return [host];
  return (await dns.lookup(host, { all: true })).map((a) => a.address);
}

/**
 * The guard for the platform's brokers: `brokers` are its bootstrap list and the brokers its cluster advertises
 * (`host:port`). A broker on this machine is matched by its port on any address of the machine.
 */
export async function brokerGuard(brokers: readonly string[]): Promise<BrokerGuard> {
  const exact = new Set<string>();
  const localPorts = new Set<number>();
  for (const broker of brokers) {
    const { host, port } = splitHostPort(broker);
    for (const address of await addressesOf(host).catch(() => [])) {
      exact.add(`${normalize(address)}|${port}`);
      if (isThisMachine(address)) localPorts.add(port);
    }
  }
  return {
    isPlatform: (address, port) => exact.has(`${normalize(address)}|${port}`) || (localPorts.has(port) && isThisMachine(address)),
  };
}

/** Whether any address `broker` resolves to is the platform's (a name that does not resolve is not). */
export async function namesPlatformBroker(guard: BrokerGuard, broker: string): Promise<boolean> {
  const { host, port } = splitHostPort(broker);
  return (await addressesOf(host).catch(() => [])).some((address) => guard.isPlatform(address, port));
}

/** kafkajs's socket factory, refusing (after DNS) every connection to the platform's brokers. */
export function guardedSocketFactory(guard: BrokerGuard): ISocketFactory {
  const refused = (address: string, port: number) => new Error(`refused to connect to ${address}:${port}: ${PLATFORM_BROKERS_TEXT}`);
  return ({ host, port, ssl, onConnect }) => {
    if (net.isIP(host) && guard.isPlatform(host, port)) {
      const socket = new net.Socket();
      process.nextTick(() => socket.destroy(refused(host, port)));
      return socket;
    }
    // Node calls `lookup` for names only; with `all` (happy eyeballs) it gets every address at once.
    const lookup: net.LookupFunction = (hostname, options, callback) => {
      dnsLookup(hostname, options, (err, address: string | LookupAddress[], family?: number) => {
        const list = typeof address === 'string' ? [address] : (address ?? []).map((a) => a.address);
        const blocked = !err && list.find((a) => guard.isPlatform(a, port));
        (callback as (e: Error | null, a: string | LookupAddress[], f?: number) => void)(blocked ? refused(blocked, port) : err, address, family);
      });
    };
    const socket = ssl
      ? tls.connect({ host, port, lookup, ...(!net.isIP(host) ? { servername: host } : {}), ...(ssl as tls.ConnectionOptions) }, onConnect)
      : net.connect({ host, port, lookup }, onConnect);
    socket.setKeepAlive(true, KEEP_ALIVE_MS);
    return socket;
  };
}
