import { EXTERNAL, EXTERNAL_CAPABLE_ENGINES, type ExternalEngines } from "../external-engines";
import type { PathId } from "../path";
import { phaseDefinition } from "../path-queries";
import { configKeyName, ENGINES, PLATFORM_KINDS, type EnginePlacement } from "./keys";
import { absorbedServices } from "./placement";
import type { StackConfig } from "./stack-config";

/**
 * Rules that span keys, checked once every key is valid on its own: where each platform phase
 * lets services and engines run, which keys a phase needs, and which paths may move together.
 * Each problem names its key, as the schema's do.
 */
export function crossCheckProblems(
  config: StackConfig,
  services: readonly string[],
  coordinationService?: string,
): string[] {
  return [
    ...crossCheck(config, services),
    ...monolithWeightProblems(config, services, coordinationService),
  ];
}

/** The databases the stack runs itself need the superuser password (external ones bring theirs). */
export function databasePasswordProblems(
  enginePlacement: Readonly<Partial<Record<string, EnginePlacement>>> | undefined,
): string[] {
  const own = (["postgres", "citus"] as const).filter(
    (engine) => enginePlacement?.[engine] !== EXTERNAL,
  );
  return own.length === 0
    ? []
    : [
        `${configKeyName(["databasePassword"])} is missing: the stack runs ${own.join(" and ")} itself (enginePlacement is not "external"), which needs a superuser password; set it with \`pulumi config set --secret stepwise:databasePassword <password>\``,
      ];
}

/** Rules that span keys: each platform phase fixes where services and engines may run. */
function crossCheck(config: StackConfig, services: readonly string[]): string[] {
  const problems: string[] = [];
  const platformPhase = config.phases.platform;
  const platformWiring = phaseDefinition("platform", platformPhase).wiring;
  const deployedPlatforms = platformWiring.deployed;

  for (const [path, previous] of Object.entries(config.previousPhases)) {
    if (previous === config.phases[path as PathId]) {
      problems.push(
        `${configKeyName(["previousPhases", path])} = "${previous}": equals the current phase; give the phase before it or remove the entry`,
      );
    }
  }

  for (const engine of ENGINES) {
    const kind = config.enginePlacement[engine];
    if (kind === EXTERNAL) continue;
    if (!deployedPlatforms.includes(kind)) {
      problems.push(
        `${configKeyName(["enginePlacement", engine])} = "${kind}": platform phase "${platformPhase}" deploys only ${deployedPlatforms.join(", ")}; place ${engine} on one of those`,
      );
    }
  }

  problems.push(...externalProblems(config));

  const apiPhase = config.phases.api;
  const apiServices = Object.keys(config.apiImages);
  if (apiPhase !== "old" && apiServices.length === 0) {
    problems.push(
      `${configKeyName(["apiImages"])} is missing: api phase "${apiPhase}" needs the new image of at least one service (one of ${services.join(", ")})`,
    );
  }
  for (const service of Object.keys(config.apiWeights)) {
    if (!apiServices.includes(service)) {
      problems.push(
        `${configKeyName(["apiWeights", service])}: ${service} has no entry in ${configKeyName(["apiImages"])}; add its new image or remove the weight`,
      );
    }
  }
  if (apiPhase === "canary") {
    for (const service of apiServices) {
      if (config.apiWeights[service] === undefined) {
        problems.push(
          `${configKeyName(["apiWeights", service])} is missing: api phase "canary" needs a weight from 0 to 100 for ${service}`,
        );
      }
    }
  }

  if (apiPhase !== "old" && config.phases.consolidation !== "microservices") {
    problems.push(
      `${configKeyName(["phases", "api"])} = "${apiPhase}": the api and consolidation paths both change the same services, so only one may leave its baseline; roll one back to it (api "old", consolidation "microservices"; consolidation is at "${config.phases.consolidation}") before moving the other`,
    );
  }
  if (config.phases.consolidation !== "microservices" && config.monolithImage === undefined) {
    problems.push(
      `${configKeyName(["monolithImage"])} is missing: consolidation phase "${config.phases.consolidation}" runs the modular monolith; give its image, e.g. "firstviscount/modular-monolith:1.0.0"`,
    );
  }
  return problems;
}

/** Monolith weights: for services the monolith absorbs, in the one phase that follows them. */
function monolithWeightProblems(
  config: StackConfig,
  services: readonly string[],
  coordinationService: string | undefined,
): string[] {
  const absorbed = absorbedServices(services, coordinationService);
  const phase = config.phases.consolidation;
  const weighted = phaseDefinition("consolidation", phase).wiring.newTrafficPercent;
  return Object.keys(config.monolithWeights).flatMap((service) => {
    const key = `${configKeyName(["monolithWeights", service])} = ${config.monolithWeights[service]}`;
    if (!absorbed.includes(service)) {
      return [
        `${key}: ${service} is not a service the monolith absorbs; give weights for ${absorbed.join(", ")}`,
      ];
    }
    if (weighted !== "per-service") {
      return [
        `${key}: consolidation phase "${phase}" fixes the monolith's share at ${weighted}%; monolith weights apply only at "monolith-parallel", so remove them (stepwise advance and rollback do)`,
      ];
    }
    return [];
  });
}

/** Every engine placed `external` has endpoints, and only those have them. */
function externalProblems(config: StackConfig): string[] {
  const problems: string[] = [];
  for (const engine of ENGINES) {
    const external = config.enginePlacement[engine] === EXTERNAL;
    const capable = (EXTERNAL_CAPABLE_ENGINES as readonly string[]).includes(engine);
    const given = capable && config.externalEngines[engine as keyof ExternalEngines] !== undefined;
    if (external && !capable) {
      problems.push(
        `${configKeyName(["enginePlacement", engine])} = "external": ${engine} runs on a platform of the stack; place it on ${PLATFORM_KINDS.join(", ")}`,
      );
    } else if (external && !given) {
      problems.push(
        `${configKeyName(["externalEngines", engine])} is missing: ${configKeyName(["enginePlacement", engine])} is "external", so give its endpoints (${engine === "redpanda" || engine === "kafka" ? "bootstrap" : "host, port, database, user, password"})`,
      );
    } else if (!external && given) {
      problems.push(
        `${configKeyName(["externalEngines", engine])}: ${engine} is placed on "${config.enginePlacement[engine]}", not "external"; remove the endpoints or set ${configKeyName(["enginePlacement", engine])}: external`,
      );
    }
  }
  return problems;
}
