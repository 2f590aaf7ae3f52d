/** Compose durations ("1m30s", "500ms", "10s") in seconds. */
export function composeDurationSeconds(text: string): number {
  const units: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001, us: 1e-6 };
  let total = 0;
  const rest = text.replace(/(\d+(?:\.\d+)?)(h|ms|us|m|s)/g, (_all, n: string, unit: string) => {
    total += Number(n) * (units[unit] ?? 0);
    return "";
  });
  if (rest !== "" || text === "") {
    throw new Error(`duration ${JSON.stringify(text)}: write it like "10s", "1m30s" or "500ms"`);
  }
  return total;
}

/** Docker byte sizes ("512m", "1g", "1073741824", "512MiB") in MiB. */
export function mebibytes(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([bkmg]?)(?:i?b)?$/i.exec(text.trim());
  if (!match) throw new Error(`memory ${JSON.stringify(text)}: write it like "512M" or "1G"`);
  const factor = { "": 1 / 2 ** 20, b: 1 / 2 ** 20, k: 1 / 1024, m: 1, g: 1024 }[
    (match[2] ?? "").toLowerCase() as "" | "b" | "k" | "m" | "g"
  ];
  return Math.round(Number(match[1]) * factor);
}
