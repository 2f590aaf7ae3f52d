import { isRecord, shown, text, type ImportContext, type Raw } from "./context";

/** One network for everything is what the platforms give; more (or aliases, addresses) is warned. */
export function networks(doc: Raw, ctx: ImportContext): void {
  const used = new Set<string>();
  for (const [name, raw] of Object.entries(doc.services as Raw)) {
    const value = isRecord(raw) ? raw.networks : undefined;
    if (value === undefined) {
      used.add("default");
      continue;
    }
    if (Array.isArray(value)) value.forEach((n) => used.add(text(n)));
    else if (isRecord(value)) {
      for (const [network, settings] of Object.entries(value)) {
        used.add(network);
        if (isRecord(settings) && Object.keys(settings).length > 0) {
          ctx.warn(
            `services.${name}.networks.${network}`,
            `${shown(settings)}: not carried over; the service is reached by its name`,
          );
        }
      }
    }
  }
  if (used.size > 1) {
    ctx.warn(
      "networks",
      `services are on ${used.size} networks (${[...used].join(", ")}); the platforms put all of them on one, so each can reach every other`,
    );
  }
  if (isRecord(doc.networks)) {
    for (const [key, raw] of Object.entries(doc.networks)) {
      const settings = isRecord(raw) ? raw : {};
      // A bridge network is what the platforms make; its name is theirs to choose.
      const carried = (f: string) =>
        f === "name" || (f === "driver" && settings.driver === "bridge");
      for (const field of Object.keys(settings).filter((f) => !carried(f))) {
        ctx.warn(`networks.${key}.${field}`, `${shown((raw as Raw)[field])}: not carried over`);
      }
    }
  }
}
