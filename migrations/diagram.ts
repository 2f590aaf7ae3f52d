import type { MigrationPath, PhaseDefinition } from "./path";
import { phaseIndex } from "./path-queries";

export interface DiagramMarks {
  /** The phase the stack is at; drawn highlighted. */
  readonly current?: string;
  /** The phase a change moves to; drawn highlighted, with the edge to it emphasized. */
  readonly next?: string;
}

/**
 * Mermaid flowchart of a path: phases left to right, forward steps labelled with the gates they
 * need, rollbacks as dashed edges back (labelled with the gates a step back needs). With `current`/`next` it shows one phase change, which
 * is how the review renderer displays a transition. Node ids are positional (p0, p1, …) because
 * Mermaid reads some phase names ("end", names with "-->") as syntax.
 */
export function pathDiagram(path: MigrationPath, marks: DiagramMarks = {}): string {
  const id = (phase: string): string => `p${phaseIndex(path, phase)}`;
  const lines = ["flowchart LR"];
  for (const phase of path.phases) lines.push(`  ${id(phase.id)}${nodeShape(phase)}`);

  const edges: { from: string; to: string; text: string }[] = [];
  path.phases.forEach((phase, index) => {
    const next = path.phases[index + 1];
    if (next) {
      const label = next.gates.length > 0 ? `|"gate: ${next.gates.join(", ")}"|` : "";
      edges.push({ from: phase.id, to: next.id, text: `-->${label}` });
    }
  });
  for (const phase of path.phases) {
    if (phase.rollbackTo !== undefined) {
      const gates = phase.rollbackGates ?? [];
      const label = gates.length > 0 ? `"rollback, gate: ${gates.join(", ")}"` : "rollback";
      edges.push({ from: phase.id, to: phase.rollbackTo, text: `-.->|${label}|` });
    }
  }

  const { current, next } = marks;
  let changeEdge = -1;
  if (current !== undefined && next !== undefined && current !== next) {
    changeEdge = edges.findIndex((e) => e.from === current && e.to === next);
    if (changeEdge < 0) {
      // Not a defined step (e.g. two phases at once): drawn anyway, so the reviewer sees it.
      edges.push({ from: current, to: next, text: `==>|"not one step"|` });
      changeEdge = edges.length - 1;
    }
  }
  for (const edge of edges) lines.push(`  ${id(edge.from)} ${edge.text} ${id(edge.to)}`);

  lines.push(
    "  classDef retirement stroke-dasharray: 4 4",
    "  classDef current fill:#d1e7dd,stroke:#198754,stroke-width:3px",
    "  classDef next fill:#fff3cd,stroke:#fd7e14,stroke-width:3px",
  );
  const retired = path.phases.filter((p) => p.retirement === true).map((p) => id(p.id));
  if (retired.length > 0) lines.push(`  class ${retired.join(",")} retirement`);
  if (current !== undefined) lines.push(`  class ${id(current)} current`);
  if (next !== undefined && next !== current) lines.push(`  class ${id(next)} next`);
  if (changeEdge >= 0) lines.push(`  linkStyle ${changeEdge} stroke:#fd7e14,stroke-width:4px`);
  return lines.join("\n") + "\n";
}

function nodeShape(phase: PhaseDefinition): string {
  const marks = [
    phase.cutover === true ? "cutover" : "",
    phase.retirement === true ? "retires old" : "",
  ]
    .filter(Boolean)
    .join(", ");
  const detail = marks ? ` (${marks})` : "";
  return `["${escapeLabel(phase.title)}<br/><code>${escapeLabel(phase.id)}</code>${detail}"]`;
}

/** Mermaid labels in double quotes take entity codes for quotes. */
function escapeLabel(text: string): string {
  return text.replaceAll('"', "#quot;");
}
