import { existsSync, readFileSync } from "node:fs";
import { relative } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { deploymentSpec, serviceSpec, startWaits } from "../../../components/platform/k3s-workload";
import { renderComposeFile } from "../../../components/platform/compose-file";
import { importComposeFile, isPinnedImage, type ServiceSpec } from "../../../components/spec";
import { isLabelValue, isQualifiedName } from "../../../components/spec/k8s-names";
import { resolveService } from "../../../components/spec/resolve";
import { startConditions } from "../../../components/spec/wait-for";
import { ROOT, corpusFiles, importFixture } from "./compose-corpus-support";

// What the corpus proves beyond its expected files: every key of every input is carried or
// named in a message; the specs survive a render to a Compose file and a second import; and the
// K3s objects made from them follow Kubernetes' rules for names, labels, ports and probes.

// Keys the importer reads and carries (anything under them is carried or warned by its reader).
const S = String.raw`services\.[^.\[]+`;
const CARRIED = [
  /^(version|name|services)$/,
  /^x-/,
  new RegExp(
    `^${S}$|^${S}\\.(image|build|entrypoint|command|environment|ports|expose|labels|depends_on|volumes|profiles|env_file|restart|networks|container_name|cpus|mem_limit|mem_reservation)(\\b|$)`,
  ),
  new RegExp(
    `^${S}\\.healthcheck(\\.(test|interval|timeout|retries|start_period|disable))?(\\b|$)`,
  ),
  new RegExp(
    `^${S}\\.deploy(\\.replicas|\\.resources(\\.(limits|reservations)(\\.(cpus|memory))?)?)?$`,
  ),
  /^volumes(\.[^.]+(\.(name|external|driver))?)?$/,
  /^networks(\.[^.]+(\.(name|driver))?)?$/,
];

/** Every key path of a document, `a.b[0].c`, parents before children. */
function keyPaths(value: unknown, prefix = ""): string[] {
  const join = (key: string) => (prefix === "" ? key : `${prefix}.${key}`);
  if (Array.isArray(value)) {
    return value.flatMap((v, i) => [`${prefix}[${i}]`, ...keyPaths(v, `${prefix}[${i}]`)]);
  }
  if (typeof value === "object" && value !== null) {
    return Object.entries(value).flatMap(([k, v]) => [join(k), ...keyPaths(v, join(k))]);
  }
  return [];
}

/** Whether a message names the path or one of its parents (`<file>: <path>: …`). */
function named(path: string, messages: readonly string[]): boolean {
  const parents = path.split(/(?=[.[])/).map((_, i, parts) => parts.slice(0, i + 1).join(""));
  return parents.some((p) => messages.some((m) => m.includes(`: ${p}: `) || m.includes(`: ${p} `)));
}

function inputs(file: string): unknown[] {
  const override = file.replace(/\.yml$/, ".override.yml");
  return [file, ...(existsSync(override) ? [override] : [])].map((f) => {
    const doc = parse(readFileSync(f, "utf8"), { merge: true }) as Record<string, unknown>;
    // A v1 file's services are at the top level.
    return doc.services === undefined && doc.version === undefined ? { services: doc } : doc;
  });
}

const files = corpusFiles();
const imported = files.flatMap((file) => {
  const result = importFixture(file);
  return "services" in result ? [[relative(ROOT, file), result.services] as const] : [];
});

/** The specs with every image pinned, as they will be once the to-dos are done. */
function pinned(services: readonly ServiceSpec[]): ServiceSpec[] {
  return services.map((s) =>
    isPinnedImage(s.image) ? s : { ...s, image: `registry.example.test/${s.name}:1.0.0` },
  );
}

describe("Compose corpus: nothing silently dropped", () => {
  it.each(files.map((f) => [relative(ROOT, f), f]))("%s", (_name, file) => {
    const result = importFixture(file);
    const messages = [
      ...result.warnings,
      ...result.todos,
      ...("problems" in result ? result.problems : []),
    ];
    const silent = inputs(file)
      .flatMap((doc) => keyPaths(doc))
      .filter((p) => !CARRIED.some((re) => re.test(p)) && !named(p, messages));
    expect(silent).toEqual([]);
  });
});

describe("Compose corpus: import, render, import again keeps the meaning", () => {
  it.each(imported)("%s", (name, services) => {
    const specs = pinned(services);
    const text = renderComposeFile({ project: "rt", services: specs });
    const again = importComposeFile(text, `rt/${name}`, { project: "rt" }).services;
    const meaning = (list: readonly ServiceSpec[], first: boolean) => {
      const waits = startConditions(list);
      // The rendered file lists services in start order.
      return [...list]
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((s) => ({
          name: s.name,
          image: s.image,
          command: s.command,
          args: s.args,
          ports: (s.ports ?? []).map((p) => [
            p.port,
            p.published ?? p.port,
            p.protocol ?? "TCP",
            p.hostIp,
          ]),
          // The rendered file adds <DEP>_ADDRESS for each dependency; secrets go to an env_file.
          env: Object.fromEntries(
            Object.entries(s.env ?? {}).filter(
              ([k]) => first || !k.endsWith("_ADDRESS") || k in (s.env ?? {}),
            ),
          ),
          healthCheck: s.healthCheck,
          volumes: (s.volumes ?? []).map((v) => [
            v.mountPath,
            v.dockerName ?? `rt-${s.name}-${v.name}`,
          ]),
          waits: waits.get(s.name),
          resources: s.resources,
          // ComposePlatform runs one container per service (it publishes host ports).
          running: (s.replicas ?? 1) > 0,
          labels: Object.fromEntries(
            Object.entries({ ...s.labels, ...s.annotations }).filter(
              ([k]) => !k.startsWith("stepwise."),
            ),
          ),
        }));
    };
    const before = meaning(specs, true);
    const after = meaning(again, false).map((s, i) => ({
      ...s,
      env: Object.fromEntries(
        Object.entries(s.env).filter(
          ([k]) => k in (before[i]?.env ?? {}) || !k.endsWith("_ADDRESS"),
        ),
      ),
    }));
    expect(after).toEqual(before);
  });
});

describe("Compose corpus: K3s objects follow Kubernetes' rules", () => {
  const PORT_NAME = /^(?=.*[a-z])[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/;
  const DNS_LABEL = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
  const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;

  it.each(imported)("%s", (_name, services) => {
    const specs = pinned(services).map((s) => ({
      ...s,
      // K3s refuses "completed"; the import keeps it for Compose, so check the rest here.
      waitFor:
        s.waitFor &&
        Object.fromEntries(Object.entries(s.waitFor).filter(([, c]) => c !== "completed")),
    }));
    const resolved = specs.map(resolveService);
    const waits = startWaits(resolved, []);
    const problems: string[] = [];
    const check = (ok: boolean, what: string) => ok || problems.push(what);
    for (const service of resolved) {
      const deployment = deploymentSpec("k3s", service, {
        configDigest: "0",
        waits: waits.get(service.name),
      }) as {
        template: {
          metadata: { labels: Record<string, string>; annotations: Record<string, string> };
          spec: {
            initContainers?: { name: string }[];
            containers: {
              name: string;
              ports: { name: string; containerPort: number; protocol: string }[];
              readinessProbe?: Record<string, number>;
            }[];
          };
        };
      };
      const { metadata, spec } = deployment.template;
      const at = service.name;
      for (const [k, v] of Object.entries(metadata.labels)) {
        check(isQualifiedName(k) && isLabelValue(v), `${at}: label ${k}=${v}`);
      }
      for (const k of Object.keys(metadata.annotations))
        check(isQualifiedName(k), `${at}: annotation ${k}`);
      for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
        check(DNS_LABEL.test(c.name), `${at}: container name ${c.name}`);
      }
      const container = spec.containers[0];
      const ports = container?.ports ?? [];
      check(new Set(ports.map((p) => p.name)).size === ports.length, `${at}: duplicate port names`);
      check(
        new Set(ports.map((p) => `${p.containerPort}/${p.protocol}`)).size === ports.length,
        `${at}: duplicate container ports`,
      );
      for (const p of ports) check(PORT_NAME.test(p.name), `${at}: port name ${p.name}`);
      const probe = container?.readinessProbe;
      if (probe) {
        for (const field of ["periodSeconds", "timeoutSeconds", "failureThreshold"]) {
          check(
            Number.isInteger(probe[field]) && (probe[field] ?? 0) >= 1,
            `${at}: probe ${field} = ${probe[field]}`,
          );
        }
        check((probe.initialDelaySeconds ?? 0) >= 0, `${at}: probe initialDelaySeconds`);
      }
      for (const key of Object.keys(service.env))
        check(CONFIG_KEY.test(key), `${at}: ConfigMap key ${key}`);
      for (const v of service.volumes)
        check(DNS_LABEL.test(`${service.name}-${v.name}`.slice(0, 63)), `${at}: claim ${v.name}`);
      if (service.ports.length > 0) {
        const svc = serviceSpec("k3s", service, false) as {
          ports: { name: string; port: number }[];
        };
        check(
          new Set(svc.ports.map((p) => p.name)).size === svc.ports.length,
          `${at}: Service port names`,
        );
        check(
          new Set(svc.ports.map((p) => `${p.port}`)).size === svc.ports.length ||
            service.ports.some((p) => p.protocol === "UDP"),
          `${at}: Service ports`,
        );
      }
    }
    expect(problems).toEqual([]);
  });
});
