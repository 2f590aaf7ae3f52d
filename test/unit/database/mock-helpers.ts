import * as pulumi from "@pulumi/pulumi";
import type { RegisteredResource } from "../../../tools/evaluate";

/** The resolved value of an output under mocks. */
export function value<T>(output: pulumi.Input<T>): Promise<T> {
  return new Promise<T>((resolve) => {
    pulumi.output(output).apply((v) => resolve(v as T));
  });
}

/** Type and name of every resource, sorted: registration order depends on input resolution. */
export function inventory(resources: RegisteredResource[]): string[][] {
  return resources.map((r) => [r.type, r.name]).sort((a, b) => (a.join() < b.join() ? -1 : 1));
}

export function byTypeAndName(
  resources: RegisteredResource[],
  type: string,
  name: string,
): RegisteredResource {
  const found = resources.find((r) => r.type === type && r.name === name);
  if (!found) throw new Error(`no ${type} ${name}`);
  return found;
}

export function byName(resources: RegisteredResource[], name: string): RegisteredResource {
  const found = resources.find((r) => r.name === name);
  if (!found)
    throw new Error(`no resource ${name} among ${resources.map((r) => r.name).join(", ")}`);
  return found;
}

/**
 * Paths at which `needle` appears in resource inputs outside a `{ secret: … }` marker — where a
 * password would be stored in plain text. The provider closure (`__provider`) is skipped.
 */
export function plainTextLeaks(resources: RegisteredResource[], needle: string): string[] {
  const leaks: string[] = [];
  const walk = (value: unknown, path: string): void => {
    if (typeof value === "string") {
      if (value.includes(needle)) leaks.push(path);
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => walk(item, `${path}[${i}]`));
    } else if (typeof value === "object" && value !== null) {
      const entries = Object.entries(value);
      if (entries.length === 1 && entries[0][0] === "secret") return;
      for (const [key, item] of entries) if (key !== "__provider") walk(item, `${path}.${key}`);
    }
  };
  for (const r of resources) walk(r.inputs, `${r.type}::${r.name}`);
  return leaks;
}
