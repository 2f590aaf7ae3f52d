/**
 * Runs an evaluation with stack traces made cheap. Pulumi's SDK takes `new Error().stack` for
 * every promise it tracks (runtime/debuggable.js) and every resource; with tsx's source maps
 * each of those is source-mapped. Profiling a 200-container program showed that work as most
 * of the evaluation time (and 3.6x of a component test's). An evaluation needs no stack of the
 * program's promises, and errors keep their messages, so both are switched off for the
 * evaluation and restored after it.
 */
export async function withCheapStackTraces<T>(run: () => Promise<T>): Promise<T> {
  const limit = Error.stackTraceLimit;
  const sourceMaps = process.sourceMapsEnabled;
  Error.stackTraceLimit = 0;
  process.setSourceMapsEnabled(false);
  try {
    return await run();
  } finally {
    Error.stackTraceLimit = limit;
    process.setSourceMapsEnabled(sourceMaps);
  }
}
