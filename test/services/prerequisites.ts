import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

/** Thrown when a tool the test services need is missing; the message says what to install. */
export class MissingPrerequisite extends Error {}

const APT_HINT =
  "On Debian/Ubuntu as root: apt-get update && apt-get install -y openjdk-17-jre-headless maven postgresql";

function hasCommand(command: string, versionFlag = "-version"): boolean {
  try {
    execFileSync(command, [versionFlag], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

export function requireJava(): void {
  if (!hasCommand("java"))
    throw new MissingPrerequisite(
      `Java 17 or newer is needed to run the Kafka test brokers, and 'java' is not on PATH. ${APT_HINT}`,
    );
  if (!hasCommand("mvn", "-v"))
    throw new MissingPrerequisite(
      `Maven is needed once to fetch the Kafka jars from Maven Central, and 'mvn' is not on PATH. ${APT_HINT}`,
    );
}

/**
 * Finds the PostgreSQL server binaries: STEPWISE_PG_BIN, else Debian's newest
 * /usr/lib/postgresql/<major>/bin, else `pg_config --bindir`.
 */
export function postgresBinDir(debianRoot = "/usr/lib/postgresql"): string {
  const candidates: string[] = [];
  if (process.env.STEPWISE_PG_BIN) candidates.push(process.env.STEPWISE_PG_BIN);
  if (existsSync(debianRoot)) {
    const majors = readdirSync(debianRoot)
      .filter((entry) => /^\d+$/.test(entry))
      .sort((a, b) => Number(b) - Number(a));
    candidates.push(...majors.map((major) => join(debianRoot, major, "bin")));
  }
  try {
    candidates.push(execFileSync("pg_config", ["--bindir"], { encoding: "utf8" }).trim());
  } catch {
    // no pg_config on PATH
  }
  const found = candidates.find(
    (dir) => existsSync(join(dir, "initdb")) && existsSync(join(dir, "postgres")),
  );
  if (!found)
    throw new MissingPrerequisite(
      `PostgreSQL server binaries (initdb, postgres) were not found in ${candidates.join(", ") || debianRoot}. ` +
        `${APT_HINT} — or set STEPWISE_PG_BIN to the folder that holds them.`,
    );
  return found;
}
