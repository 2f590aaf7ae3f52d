import type { ServicePort } from "../service-spec";
import { compact, isRecord, shown, text, type ImportContext, type Raw } from "./context";

/** One port as Compose means it, before names are given. */
interface Binding {
  readonly port: number;
  /** Host port; undefined when Compose would pick a random one. */
  readonly published?: number;
  readonly protocol: "TCP" | "UDP";
  readonly hostIp?: string;
  readonly name?: string;
  readonly at: string;
}

const MAX_RANGE = 100;
const SHORT =
  /^(?:(\[[0-9A-Fa-f:.]+\]|\d{1,3}(?:\.\d{1,3}){3}):)?(?:(\d+(?:-\d+)?)?:)?(\d+(?:-\d+)?)(?:\/([A-Za-z]+))?$/;

/**
 * `ports:` and `expose:` of one service as spec ports: the container port in `port`, the host
 * port in `published`, the host address in `hostIp`; ranges expanded; the TCP and UDP sides of
 * one port and a port published twice get distinct names.
 */
export function servicePorts(
  ports: unknown,
  expose: unknown,
  at: string,
  ctx: ImportContext,
): ServicePort[] | undefined {
  const bindings: Binding[] = [];
  list(ports, `${at}.ports`, ctx).forEach((entry, i) => {
    const where = `${at}.ports[${i}]`;
    bindings.push(
      ...(isRecord(entry) ? longPort(entry, where, ctx) : shortPort(entry, where, ctx)),
    );
  });
  const exposed: Binding[] = [];
  list(expose, `${at}.expose`, ctx).forEach((entry, i) => {
    exposed.push(...shortPort(entry, `${at}.expose[${i}]`, ctx, true));
  });
  for (const binding of exposed) {
    if (!bindings.some((b) => b.port === binding.port && b.protocol === binding.protocol)) {
      bindings.push(binding);
    }
  }
  if (exposed.length > 0) {
    ctx.warn(
      `${at}.expose`,
      "became service ports; ComposePlatform also publishes them on the host (on K3s they are the Service's ports)",
    );
  }
  for (const binding of bindings) {
    if (binding.published === undefined && !exposed.includes(binding)) {
      ctx.warn(
        binding.at,
        `Compose publishes container port ${binding.port} on a random host port; the spec publishes it on ${binding.port}`,
      );
    }
  }
  return bindings.length === 0 ? undefined : named(unique(bindings, ctx));
}

function list(value: unknown, at: string, ctx: ImportContext): unknown[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value;
  ctx.fail(at, `${shown(value)}: expected a list`);
  return [];
}

function shortPort(entry: unknown, at: string, ctx: ImportContext, expose = false): Binding[] {
  const match = SHORT.exec(text(entry).trim());
  if (!match || (typeof entry !== "string" && typeof entry !== "number")) {
    ctx.fail(
      at,
      `${shown(entry)}: not a port; write "8080:80", "127.0.0.1:8080:80", "8080:80/udp" or "8000-8001:80-81"`,
    );
    return [];
  }
  const [, ip, host, container = "", proto] = match;
  if (expose && (ip !== undefined || host !== undefined)) {
    ctx.fail(at, `${shown(entry)}: expose takes container ports only, e.g. "3000" or "3000/udp"`);
    return [];
  }
  const protocol = protocolOf(proto, at, ctx);
  if (protocol === undefined) return [];
  return expand(container, host, { protocol, hostIp: hostIp(ip), at }, shown(entry), ctx);
}

function longPort(entry: Raw, at: string, ctx: ImportContext): Binding[] {
  for (const key of Object.keys(entry)) {
    if (!["target", "published", "host_ip", "protocol", "name", "mode"].includes(key)) {
      ctx.warn(`${at}.${key}`, `${shown(entry[key])}: not carried over`);
    }
  }
  if (entry.mode !== undefined && entry.mode !== "ingress" && entry.mode !== "host") {
    ctx.fail(`${at}.mode`, `${shown(entry.mode)}: must be "ingress" or "host"`);
    return [];
  }
  if (entry.mode !== undefined) {
    ctx.warn(`${at}.mode`, `${shown(entry.mode)}: a Swarm routing mode; not carried over`);
  }
  const target = entry.target;
  if (typeof target !== "number" && !(typeof target === "string" && /^\d+(-\d+)?$/.test(target))) {
    ctx.fail(`${at}.target`, `${shown(target)}: give the container port, e.g. target: 80`);
    return [];
  }
  const published = entry.published;
  if (
    published !== undefined &&
    published !== null &&
    published !== "" &&
    !(
      typeof published === "number" ||
      (typeof published === "string" && /^\d+(-\d+)?$/.test(published))
    )
  ) {
    ctx.fail(
      `${at}.published`,
      `${shown(published)}: give a host port or range, e.g. 8080 or "8000-8001"`,
    );
    return [];
  }
  const protocol = protocolOf(
    entry.protocol === undefined ? undefined : text(entry.protocol),
    `${at}.protocol`,
    ctx,
  );
  if (protocol === undefined) return [];
  const ip = entry.host_ip === undefined ? undefined : text(entry.host_ip);
  if (ip !== undefined && !/^(\d{1,3}(\.\d{1,3}){3}|\[?[0-9A-Fa-f:.]+\]?)$/.test(ip)) {
    ctx.fail(`${at}.host_ip`, `${shown(ip)}: give an IPv4 or IPv6 address`);
    return [];
  }
  const name = typeof entry.name === "string" ? entry.name : undefined;
  const host =
    published === undefined || published === null || published === "" ? undefined : text(published);
  return expand(text(target), host, { protocol, hostIp: hostIp(ip), at, name }, shown(entry), ctx);
}

function protocolOf(
  proto: string | undefined,
  at: string,
  ctx: ImportContext,
): "TCP" | "UDP" | undefined {
  const lower = (proto ?? "tcp").toLowerCase();
  if (lower === "tcp") return "TCP";
  if (lower === "udp") return "UDP";
  ctx.fail(at, `protocol ${shown(proto)}: only tcp and udp are carried over`);
  return undefined;
}

function hostIp(ip: string | undefined): string | undefined {
  if (ip === undefined) return undefined;
  const bare = ip.replace(/^\[|\]$/g, "");
  return bare === "0.0.0.0" || bare === "::" ? undefined : bare; // all interfaces is the default
}

function range(text: string): [number, number] {
  const [from, to = from] = text.split("-").map(Number) as [number, number?];
  return [from, to];
}

function expand(
  container: string,
  host: string | undefined,
  base: Omit<Binding, "port" | "published">,
  entry: string,
  ctx: ImportContext,
): Binding[] {
  const [first, last] = range(container);
  const hosts = host === undefined ? undefined : range(host);
  const bad = [first, last, ...(hosts ?? [])].find((p) => !(p >= 1 && p <= 65535));
  if (bad !== undefined || last < first || (hosts && hosts[1] < hosts[0])) {
    ctx.fail(base.at, `${entry}: ports must run from 1 to 65535, a range low-high`);
    return [];
  }
  const count = last - first + 1;
  if (count > MAX_RANGE) {
    ctx.fail(
      base.at,
      `${entry}: a range of ${count} ports; at most ${MAX_RANGE} are carried over, list the ones in use`,
    );
    return [];
  }
  let published: (i: number) => number | undefined = () => undefined;
  if (hosts) {
    const hostCount = hosts[1] - hosts[0] + 1;
    if (hostCount === count) published = (i) => hosts[0] + i;
    else if (count === 1) {
      ctx.warn(
        base.at,
        `${entry}: Compose takes the first free host port of ${hosts[0]}-${hosts[1]}; the spec publishes it on ${hosts[0]}`,
      );
      published = () => hosts[0];
    } else {
      ctx.fail(
        base.at,
        `${entry}: ${count} container ports but ${hostCount} host ports; give ranges of one length`,
      );
      return [];
    }
  }
  return Array.from({ length: count }, (_, i) =>
    compact({ ...base, port: first + i, published: published(i) }),
  );
}

/** Drops a binding that repeats host port and protocol (it would be a duplicate Service port). */
function unique(bindings: Binding[], ctx: ImportContext): Binding[] {
  const kept: Binding[] = [];
  for (const b of bindings) {
    const seen = kept.find(
      (k) => (k.published ?? k.port) === (b.published ?? b.port) && k.protocol === b.protocol,
    );
    if (!seen) kept.push(b);
    else if (seen.port !== b.port) {
      ctx.fail(
        b.at,
        `host port ${b.published ?? b.port}/${b.protocol.toLowerCase()} is already published for container port ${seen.port}`,
      );
    } else {
      ctx.warn(
        b.at,
        `port ${b.port}/${b.protocol.toLowerCase()} is bound a second time${b.hostIp ? ` on ${b.hostIp}` : ""}; the spec binds it once${seen.hostIp ? ` on ${seen.hostIp}` : ""}`,
      );
    }
  }
  return kept;
}

/** Spec ports with names only where `p<port>` would repeat: `p53` and `p53-udp`, `p80`, `p80-2`. */
function named(bindings: Binding[]): ServicePort[] {
  const taken = new Set<string>();
  const both = (b: Binding) => bindings.some((o) => o.port === b.port && o.protocol !== b.protocol);
  return bindings.map((b) => {
    let name =
      b.name !== undefined && /^[a-z]([-a-z0-9]{0,13}[a-z0-9])?$/.test(b.name) ? b.name : undefined;
    if (name === undefined || taken.has(name)) {
      const base = `p${b.port}${b.protocol === "UDP" && both(b) ? "-udp" : ""}`;
      name = base;
      for (let n = 2; taken.has(name); n += 1) name = `${base}-${n}`;
    }
    taken.add(name);
    return compact({
      port: b.port,
      published: b.published === undefined || b.published === b.port ? undefined : b.published,
      protocol: b.protocol === "UDP" ? ("UDP" as const) : undefined,
      hostIp: b.hostIp,
      name: name === `p${b.port}` ? undefined : name,
    });
  });
}
