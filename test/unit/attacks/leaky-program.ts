/**
 * The platform program with plaintext secrets written into its service specs, as a pull request
 * editing the seed platform's services could: each finding of issue 16 section 5 under a value of
 * its own, so a test can tell which one leaked. In dev, orders and inventory run on Compose,
 * product-catalog on K3s.
 */
import { type ServiceSpec } from "../../../components/spec";
import { stepwiseProgram } from "../../../migrations/program";
import { SEED_PLATFORM, seedServices } from "../../support/seed-platform";

const basic = (user: string, password: string): string =>
  `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

/** One plaintext secret: where the program puts it, and the text that must never be printed. */
export interface Leak {
  readonly service: string;
  readonly name: string;
  readonly value: string;
  /** What must not appear in any output (the value, or the secret inside it). */
  readonly secret: string;
}

export const LEAKS: Readonly<Record<string, Leak>> = {
  "plain DB_PASSWORD beside secretEnv (Compose)": {
    service: "orders",
    name: "DB_PASSWORD",
    value: "leak-mixed-7301",
    secret: "leak-mixed-7301",
  },
  "name PGPASS (Compose)": {
    service: "inventory",
    name: "PGPASS",
    value: "leak-pgpass-7302",
    secret: "leak-pgpass-7302",
  },
  "name DB_PASS (Compose)": {
    service: "inventory",
    name: "DB_PASS",
    value: "leak-dbpass-7303",
    secret: "leak-dbpass-7303",
  },
  "name ACCESSKEY (K3s)": {
    service: "product-catalog",
    name: "ACCESSKEY",
    value: "leak-accesskey-7304",
    secret: "leak-accesskey-7304",
  },
  "name SECRETS (K3s)": {
    service: "product-catalog",
    name: "SECRETS",
    value: "leak-secrets-7305",
    secret: "leak-secrets-7305",
  },
  "name PASSPHRASE (Compose beside secretEnv)": {
    service: "orders",
    name: "PASSPHRASE",
    value: "leak-passphrase-7306",
    secret: "leak-passphrase-7306",
  },
  "libpq password= string (Compose)": {
    service: "inventory",
    name: "INVENTORY_DSN",
    value: "host=db user=inventory password=leak-libpq-7307 dbname=inventory",
    secret: "leak-libpq-7307",
  },
  "JDBC ?password= (K3s)": {
    service: "product-catalog",
    name: "CATALOG_JDBC",
    value: "jdbc:postgresql://db:5432/catalog?user=catalog&password=leak-jdbc-7308",
    secret: "leak-jdbc-7308",
  },
  "Basic header (Compose beside secretEnv)": {
    service: "orders",
    name: "UPSTREAM_AUTH",
    value: basic("orders", "leak-basic-7309"),
    secret: basic("orders", "leak-basic-7309").slice("Basic ".length),
  },
};

/** Names that only point at a secret, or URLs without one: never findings. */
export const HARMLESS: Readonly<Record<string, string>> = {
  PASSWORD_FILE: "/run/secrets/orders-db",
  SECRET_NAME: "foo",
  REPLICA_URL: "postgres://user@host/db",
};

export function leakyServices(databaseUrl: Parameters<typeof seedServices>[0]): ServiceSpec[] {
  return seedServices(databaseUrl).map((spec) => {
    const leaks = Object.values(LEAKS).filter((l) => l.service === spec.name);
    const env = { ...spec.env, ...Object.fromEntries(leaks.map((l) => [l.name, l.value])) };
    if (spec.name !== "orders") return { ...spec, env };
    // Any secret env at all: the whole Docker env list used to become one "[secret]".
    return { ...spec, env: { ...env, ...HARMLESS }, secretEnv: { PAYMENT_TOKEN: "tok-in-secret" } };
  });
}

export default function leakyProgram(): unknown {
  return stepwiseProgram({ ...SEED_PLATFORM, services: leakyServices });
}
