import type { MigrationPath, PathId } from "./path";

/**
 * The five migration paths (docs/migrations.md, generated from these). One definition drives the
 * program, the policy checks and the generated docs.
 */
export const EVENTS_PATH: MigrationPath = {
  id: "events",
  title: "Redpanda → Apache Kafka",
  oldSystem: "redpanda",
  newSystem: "kafka",
  phases: [
    {
      id: "redpanda",
      title: "Redpanda only",
      summary: "Producers and consumers use Redpanda.",
      gates: [],
      rollbackTo: undefined,
      systems: "old",
      wiring: { deployed: ["redpanda"], writeTo: ["redpanda"], readFrom: "redpanda" },
    },
    {
      id: "parallel",
      title: "Parallel running",
      summary: "Kafka runs beside Redpanda with the same topics; clients still use Redpanda.",
      gates: ["compatibility-verified"],
      rollbackTo: "redpanda",
      systems: "both",
      wiring: { deployed: ["redpanda", "kafka"], writeTo: ["redpanda"], readFrom: "redpanda" },
    },
    {
      id: "dual-publish",
      title: "Dual publishing",
      summary: "Producers publish to both; consumers still read Redpanda.",
      gates: [],
      rollbackTo: "parallel",
      systems: "both",
      wiring: {
        deployed: ["redpanda", "kafka"],
        writeTo: ["redpanda", "kafka"],
        readFrom: "redpanda",
      },
    },
    {
      id: "consumers-on-kafka",
      title: "Consumers on Kafka",
      summary: "Consumers read Kafka from translated offsets; producers still publish to both.",
      gates: ["offsets-migrated"],
      rollbackTo: "dual-publish",
      // Consumers go back to Redpanda: their positions there are stale until translated back.
      rollbackGates: ["offsets-migrated-back"],
      systems: "both",
      wiring: {
        deployed: ["redpanda", "kafka"],
        writeTo: ["redpanda", "kafka"],
        readFrom: "kafka",
      },
    },
    {
      id: "kafka-only",
      title: "Cutover",
      summary: "Producers publish only to Kafka; Redpanda kept running, idle, for rollback.",
      gates: [],
      rollbackTo: "consumers-on-kafka",
      // Producers publish to Redpanda again: it missed every record published here only to
      // Kafka (all of them, after a rollback out of retirement recreated it empty).
      rollbackGates: ["messages-synced-back"],
      systems: "both",
      wiring: { deployed: ["redpanda", "kafka"], writeTo: ["kafka"], readFrom: "kafka" },
      cutover: true,
    },
    {
      id: "redpanda-retired",
      title: "Redpanda retired",
      summary: "Redpanda is deleted after the rollback window.",
      gates: [],
      rollbackTo: "kafka-only",
      systems: "new",
      wiring: { deployed: ["kafka"], writeTo: ["kafka"], readFrom: "kafka" },
      retirement: true,
    },
  ],
};

export const PLATFORM_PATH: MigrationPath = {
  id: "platform",
  title: "Docker Compose → K3s",
  oldSystem: "compose",
  newSystem: "k3s",
  phases: [
    {
      id: "compose",
      title: "Compose only",
      summary: "Every service runs on Docker Compose.",
      gates: [],
      rollbackTo: undefined,
      systems: "old",
      wiring: { deployed: ["compose"], placement: "compose" },
    },
    {
      id: "coordination-on-k3s",
      title: "Platform coordination on K3s",
      summary: "platform-coordination runs on K3s; service discovery verified across both.",
      gates: ["compatibility-verified"],
      rollbackTo: "compose",
      systems: "both",
      wiring: { deployed: ["compose", "k3s"], placement: "coordination" },
    },
    {
      id: "services-moving",
      title: "Services moving",
      summary: "Services move to K3s one per step; Compose stays as fallback.",
      gates: [],
      rollbackTo: "coordination-on-k3s",
      systems: "both",
      wiring: { deployed: ["compose", "k3s"], placement: "per-service" },
    },
    {
      id: "k3s",
      title: "Cutover",
      summary: "Every service runs on K3s; Compose definitions kept for rollback.",
      gates: [],
      rollbackTo: "services-moving",
      systems: "both",
      wiring: { deployed: ["compose", "k3s"], placement: "k3s" },
      cutover: true,
    },
    {
      id: "compose-retired",
      title: "Compose retired",
      summary: "Compose resources are deleted after the rollback window.",
      gates: [],
      rollbackTo: "k3s",
      systems: "new",
      wiring: { deployed: ["k3s"], placement: "k3s" },
      retirement: true,
    },
  ],
};

export const DATABASE_PATH: MigrationPath = {
  id: "database",
  title: "PostgreSQL → Citus",
  oldSystem: "postgres",
  newSystem: "citus",
  phases: [
    {
      id: "postgres",
      title: "PostgreSQL only",
      summary: "Reads and writes go to PostgreSQL.",
      gates: [],
      rollbackTo: undefined,
      systems: "old",
      wiring: { deployed: ["postgres"], writeTo: ["postgres"], readFrom: "postgres" },
    },
    {
      id: "citus-provisioned",
      title: "Citus provisioned",
      summary: "Citus runs with the schema distributed; no traffic yet.",
      gates: ["data-model-reviewed"],
      rollbackTo: "postgres",
      systems: "both",
      wiring: { deployed: ["postgres", "citus"], writeTo: ["postgres"], readFrom: "postgres" },
    },
    {
      id: "dual-write",
      title: "Dual writing",
      summary: "Writes go to both; reads and the source of truth stay on PostgreSQL.",
      gates: [],
      rollbackTo: "citus-provisioned",
      systems: "both",
      wiring: {
        deployed: ["postgres", "citus"],
        writeTo: ["postgres", "citus"],
        readFrom: "postgres",
      },
    },
    {
      id: "verified",
      title: "Verified",
      summary: "Data compared between both; still dual writing.",
      gates: ["data-verified"],
      rollbackTo: "dual-write",
      systems: "both",
      wiring: {
        deployed: ["postgres", "citus"],
        writeTo: ["postgres", "citus"],
        readFrom: "postgres",
      },
    },
    {
      id: "citus-primary",
      title: "Cutover",
      summary:
        "Reads go to Citus, the source of truth; the dual writer keeps PostgreSQL in step for a rollback.",
      gates: ["data-verified"],
      rollbackTo: "verified",
      // Reads go back to PostgreSQL: the dual writer follows each Citus write there, but a write
      // that failed there waits in its replay log, and after a rollback out of retirement
      // PostgreSQL was recreated empty. A comparison shows it caught up before reads move.
      rollbackGates: ["data-synced-back"],
      systems: "both",
      // Writes go to both, Citus first: its write decides the result (readFrom is the source of
      // truth), so a rollback to PostgreSQL loses nothing until it is retired.
      wiring: {
        deployed: ["postgres", "citus"],
        writeTo: ["citus", "postgres"],
        readFrom: "citus",
      },
      cutover: true,
    },
    {
      id: "postgres-retired",
      title: "PostgreSQL retired",
      summary: "PostgreSQL is deleted after the rollback window.",
      gates: [],
      rollbackTo: "citus-primary",
      systems: "new",
      wiring: { deployed: ["citus"], writeTo: ["citus"], readFrom: "citus" },
      retirement: true,
    },
  ],
};

export const API_PATH: MigrationPath = {
  id: "api",
  title: "API framework, per service",
  oldSystem: "old",
  newSystem: "new",
  weightsKey: "apiWeights",
  phases: [
    {
      id: "old",
      title: "Old implementation",
      summary: "All traffic goes to the old implementation.",
      gates: [],
      rollbackTo: undefined,
      systems: "old",
      wiring: { deployed: ["old"], newTrafficPercent: 0 },
    },
    {
      id: "canary",
      title: "Canary",
      summary: "The new implementation runs beside the old; traffic weight moves in bounded steps.",
      gates: ["compatibility-verified"],
      rollbackTo: "old",
      systems: "both",
      wiring: { deployed: ["old", "new"], newTrafficPercent: "per-service" },
    },
    {
      id: "new",
      title: "Cutover",
      summary: "All traffic goes to the new implementation; the old one kept for rollback.",
      gates: [],
      rollbackTo: "canary",
      systems: "both",
      wiring: { deployed: ["old", "new"], newTrafficPercent: 100 },
      cutover: true,
    },
    {
      id: "old-retired",
      title: "Old retired",
      summary: "The old implementation is deleted after the rollback window.",
      gates: [],
      rollbackTo: "new",
      systems: "new",
      wiring: { deployed: ["new"], newTrafficPercent: 100 },
      retirement: true,
    },
  ],
};

export const CONSOLIDATION_PATH: MigrationPath = {
  id: "consolidation",
  title: "Microservices ⇄ modular monolith",
  oldSystem: "microservices",
  newSystem: "modular-monolith",
  weightsKey: "monolithWeights",
  phases: [
    {
      id: "microservices",
      title: "Microservices",
      summary: "Each service is its own deployment.",
      gates: [],
      rollbackTo: undefined,
      systems: "old",
      wiring: { deployed: ["microservices"], newTrafficPercent: 0 },
    },
    {
      id: "monolith-parallel",
      title: "Monolith alongside",
      summary:
        "The modular monolith runs beside the services; each service's traffic moves to it in weighted steps; events still published.",
      gates: ["compatibility-verified"],
      rollbackTo: "microservices",
      systems: "both",
      wiring: { deployed: ["microservices", "modular-monolith"], newTrafficPercent: "per-service" },
    },
    {
      id: "modular-monolith",
      title: "Cutover",
      summary:
        "Traffic goes to the monolith; the services are kept (scaled to zero) for re-extraction.",
      gates: [],
      rollbackTo: "monolith-parallel",
      systems: "both",
      wiring: {
        deployed: ["microservices", "modular-monolith"],
        newTrafficPercent: 100,
        oldReplicas: 0,
      },
      cutover: true,
    },
    {
      id: "services-retired",
      title: "Services retired",
      summary: "Service deployments are deleted after the rollback window; module boundaries stay.",
      gates: [],
      rollbackTo: "modular-monolith",
      systems: "new",
      wiring: { deployed: ["modular-monolith"], newTrafficPercent: 100 },
      retirement: true,
    },
  ],
};

export const MIGRATION_PATHS: Readonly<Record<PathId, MigrationPath>> = {
  events: EVENTS_PATH,
  platform: PLATFORM_PATH,
  database: DATABASE_PATH,
  api: API_PATH,
  consolidation: CONSOLIDATION_PATH,
};
