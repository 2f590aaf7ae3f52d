import { pathDiagram } from "./diagram";
import type { MigrationPath, PhaseDefinition } from "./path";
import { MIGRATION_PATHS } from "./paths";

export const GENERATED_START =
  "<!-- generated: migration paths (./run npx tsx migrations/generate-docs.ts) -->";
export const GENERATED_END = "<!-- end generated: migration paths -->";

/** The generated part of docs/migrations.md: per path a phase table and its Mermaid diagram. */
export function renderPathsDoc(
  paths: readonly MigrationPath[] = Object.values(MIGRATION_PATHS),
): string {
  return paths.map(renderPath).join("\n");
}

function renderPath(path: MigrationPath): string {
  const rows = path.phases.map(
    (phase, index) =>
      `| ${index} | \`${phase.id}\`${marks(phase)} | ${phase.summary} | ${wiring(phase, path)} | ${
        phase.gates.map((g) => `\`${g}\``).join(", ") || "—"
      } | ${rollback(phase)} |`,
  );
  return [
    `### ${path.title} (\`${path.id}\`)`,
    "",
    "| # | phase | what holds | deploys and wiring | gates to enter | rollback to |",
    "|---|---|---|---|---|---|",
    ...rows,
    "",
    "```mermaid",
    pathDiagram(path).trimEnd(),
    "```",
    "",
  ].join("\n");
}

/** Where a rollback goes, and the gates it needs first. */
function rollback(phase: PhaseDefinition): string {
  if (phase.rollbackTo === undefined) return "—";
  const gates = (phase.rollbackGates ?? []).map((g) => `\`${g}\``).join(", ");
  return `\`${phase.rollbackTo}\`${gates ? ` (gate: ${gates})` : ""}`;
}

function marks(phase: PhaseDefinition): string {
  if (phase.cutover === true) return " (cutover)";
  if (phase.retirement === true) return " (retirement)";
  return "";
}

function wiring(phase: PhaseDefinition, path: MigrationPath): string {
  const w = phase.wiring;
  const parts = [`deployed: ${w.deployed.join(" + ")}`];
  if (w.writeTo) parts.push(`write/publish → ${w.writeTo.join(" + ")}`);
  if (w.readFrom) parts.push(`read/consume ← ${w.readFrom}`);
  if (w.placement) parts.push(`services: ${w.placement}`);
  if (w.newTrafficPercent !== undefined)
    parts.push(
      `new gets ${w.newTrafficPercent === "per-service" ? `\`${path.weightsKey}\`` : `${w.newTrafficPercent}%`}`,
    );
  if (w.oldReplicas !== undefined) parts.push(`old scaled to ${w.oldReplicas}`);
  return parts.join("; ");
}

/** Replaces the generated part of a document, which must contain both markers. */
export function withGeneratedPaths(document: string, generated: string = renderPathsDoc()): string {
  const start = document.indexOf(GENERATED_START);
  const end = document.indexOf(GENERATED_END);
  if (start < 0 || end < start) {
    throw new Error(
      `the document has no "${GENERATED_START}" … "${GENERATED_END}" section to fill`,
    );
  }
  return `${document.slice(0, start + GENERATED_START.length)}\n\n${generated}\n${document.slice(end)}`;
}
