/**
 * The seed platform (examples/seed-platform) as the repository's tests use it: where it lives,
 * its services and topics, and its program built the way its index.ts builds it.
 */
import { join } from "node:path";
import { stepwiseProgram } from "../../api/program";
import { absorbedServices } from "../../migrations/config/placement";
import type { ProgramOutputs } from "../../migrations/program";
import { SEED_PLATFORM, SEED_TOPICS, seedServices } from "../../examples/seed-platform/services";

export { SEED_PLATFORM, SEED_TOPICS, seedServices };

export const SEED_PLATFORM_DIR = join(__dirname, "..", "..", "examples", "seed-platform");
export const SEED_STACKS_DIR = join(SEED_PLATFORM_DIR, "stacks");

/** The path of a bundled stack's file, e.g. seedStackFile("dev"). */
export const seedStackFile = (stack: string): string =>
  join(SEED_STACKS_DIR, `Pulumi.${stack}.yaml`);

/** The service the seed platform moves to K3s first, which its monolith does not absorb. */
export const SEED_COORDINATION = SEED_PLATFORM.coordinationService;

/** The services the seed platform's monolith absorbs (its program's absorbedServices output). */
export const SEED_ABSORBED = absorbedServices(
  seedServices("").map((spec) => spec.name),
  SEED_COORDINATION,
);

/** The four services with a credential-free example DATABASE_URL (still handled as a secret). */
export const SEED_SERVICES = seedServices("postgresql://catalog@postgres:5432/catalog");

/** The seed platform's program, as examples/seed-platform/index.ts exports it. */
export const seedProgram = (): ProgramOutputs => stepwiseProgram(SEED_PLATFORM);
