import { isMap, isScalar, parseDocument, type Document, type YAMLMap } from "yaml";
import { configKeyName } from "../../migrations/config/keys";
import type { PathId } from "../../migrations/path";
import {
  nextPhase,
  phaseDefinition,
  phaseIds,
  rollbackTarget,
} from "../../migrations/path-queries";

export type Direction = "advance" | "rollback";

/** One path's move, as written into the stack file. */
export interface PhaseChange {
  readonly path: PathId;
  readonly from: string;
  readonly to: string;
  readonly direction: Direction;
  /** ISO 8601 time written as the new phase's `enteredAt`. */
  readonly enteredAt: string;
}

/** Something about the stack file or the requested move that the user must fix. */
export class StackFileError extends Error {}

const key = (name: string) => configKeyName([name]);

/**
 * The phase one step from `from`: forward to the next phase, or back to where the path's
 * definition says a rollback from `from` goes. Pure; an impossible move names why.
 */
export function targetPhase(path: PathId, from: string, direction: Direction): string {
  const to = direction === "advance" ? nextPhase(path, from) : rollbackTarget(path, from);
  if (to === undefined) {
    const ends = phaseIds(path);
    throw new StackFileError(
      direction === "advance"
        ? `path ${path} is at its last phase "${from}"; nothing to advance to (phases: ${ends.join(" → ")})`
        : `path ${path} is at its baseline "${from}"; nothing to roll back to (phases: ${ends.join(" → ")})`,
    );
  }
  return to;
}

/** Current phase of a path as the stack file records it. */
export function currentPhase(text: string, path: PathId, source: string): string {
  const value = parse(text, source).getIn(["config", key("phases"), path]);
  if (typeof value !== "string") {
    throw new StackFileError(
      `${source}: ${key("phases")}.${path} is ${value === undefined ? "missing" : JSON.stringify(value)}; set it to one of ${phaseIds(path).join(", ")}`,
    );
  }
  return value;
}

/**
 * Returns the stack file's text with one path moved by one phase: `phases.<path>` set to the
 * new phase, `enteredAt.<path>` to `now`, `previousPhases.<path>` to the phase it left, and the
 * consolidation path's `monolithWeights` set or removed (setMonolithWeights) for `absorbed`, the
 * services the monolith absorbs (the program's `absorbedServices` output).
 * Everything else (comments, order, quoting, other keys) is left as it was.
 */
export function applyPhaseStep(
  text: string,
  path: PathId,
  direction: Direction,
  now: Date,
  source: string,
  absorbed: readonly string[] = [],
): { text: string; change: PhaseChange } {
  const document = parse(text, source);
  const from = currentPhase(text, path, source);
  const to = targetPhase(path, from, direction);
  const enteredAt = now.toISOString();
  setField(document, "phases", path, to);
  setField(document, "enteredAt", path, enteredAt);
  setField(document, "previousPhases", path, from);
  if (path === "consolidation") setMonolithWeights(document, from, to, absorbed);
  return { text: document.toString(), change: { path, from, to, direction, enteredAt } };
}

/**
 * The monolith weights exist only at `monolith-parallel` (stack-config refuses them elsewhere).
 * Entering it they start at the share the phase left fixed, 0 coming from `microservices` and
 * 100 coming back from `modular-monolith`, so the phase step itself moves no traffic; leaving
 * it they go. Set for every service the monolith absorbs.
 */
function setMonolithWeights(
  document: Document,
  from: string,
  to: string,
  absorbed: readonly string[],
): void {
  const weights = key("monolithWeights");
  const share = (phase: string) => phaseDefinition("consolidation", phase).wiring.newTrafficPercent;
  const start = share(from);
  document.deleteIn(["config", weights]);
  if (share(to) !== "per-service" || typeof start !== "number") return;
  if (absorbed.length === 0) {
    throw new StackFileError(
      `consolidation ${from} -> ${to} sets ${weights} for the services the monolith absorbs, and none were given; the program names them (its absorbedServices output)`,
    );
  }
  const entries = Object.fromEntries(absorbed.map((service) => [service, start]));
  const config = document.get("config") as YAMLMap;
  // Beside the monolith's image, where a reader looks for it.
  const image = config.items.findIndex(
    (p) => isScalar(p.key) && p.key.value === key("monolithImage"),
  );
  config.items.splice(
    image < 0 ? config.items.length : image + 1,
    0,
    document.createPair(weights, entries),
  );
}

function setField(document: Document, map: string, path: PathId, value: string): void {
  const existing = document.getIn(["config", key(map)]);
  if (existing !== undefined && !isMap(existing)) {
    throw new StackFileError(
      `${key(map)} must be a map of path to value, found ${JSON.stringify(existing)}`,
    );
  }
  document.setIn(["config", key(map), path], value);
}

function parse(text: string, source: string): Document {
  const document = parseDocument(text);
  if (document.errors.length > 0) {
    throw new StackFileError(`${source} is not valid YAML: ${document.errors[0]?.message ?? ""}`);
  }
  if (!isMap(document.get("config"))) {
    throw new StackFileError(`${source}: expected a "config:" map of stack settings`);
  }
  return document;
}
