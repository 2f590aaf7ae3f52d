/**
 * Loads a Pulumi program module as a function the offline planner can call once per
 * configuration. The module's export is the function, as `pulumi` itself calls it
 * (`export = () => stepwiseProgram(...)`; `export default` in an ES module, which `pulumi`
 * also unwraps, and which --program files may use): a program that declares its resources at the
 * top level would run once, on load, and could not be evaluated twice.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { extname } from "node:path";
import type { ProgramFunction } from "../plan/offline-planner";
import { ProjectError } from "./pulumi-project";

const TYPESCRIPT = new Set([".ts", ".cts", ".mts"]);

export async function loadProgramModule(file: string, label: string): Promise<ProgramFunction> {
  if (!existsSync(file)) throw new ProjectError(`${label} ${file}: no such file`);
  if (TYPESCRIPT.has(extname(file))) registerTypeScript();
  // A dynamic import: under tsx or vitest the program joins the caller's module graph (one copy
  // of stepwise's modules); compiled to CommonJS it is a require through the loader above.
  const loaded = (await import(file)) as { default?: unknown } | undefined;
  const program = unwrapDefault(loaded?.default) ?? loaded;
  if (typeof program !== "function") {
    throw new ProjectError(
      `${label} ${file}: its export must be the program function, e.g. \`export = () => stepwiseProgram({ services })\``,
    );
  }
  return program as ProgramFunction;
}

// Under tsx (the repository's own scripts) .ts files load already; the installed command line
// is plain JavaScript, so it registers tsx's loader the first time a TypeScript program loads.
function registerTypeScript(): void {
  if (require.extensions[".ts"] !== undefined) return;
  (createRequire(__filename)("tsx/cjs/api") as { register: () => unknown }).register();
}

// CommonJS interop may nest a default export once more.
function unwrapDefault(value: unknown): unknown {
  if (typeof value === "object" && value !== null && "default" in value) return value.default;
  return value;
}
