/**
 * One `stepwise db verify` in a process of its own, for bench/verify.bench.ts: the CLI as a
 * user runs it (report, progress), then the process's peak resident memory as the last line on
 * stderr, so the figure is the verification's alone and not the bench runner's.
 *
 *   node --import tsx bench/verify-process.ts db verify --source … --target … --json
 */
import { main } from "../tools/cli/main";

main(process.argv.slice(2)).then(
  (code) => {
    const maxRssMiB = process.resourceUsage().maxRSS / 1024;
    process.stderr.write(`\n${JSON.stringify({ code, maxRssMiB })}\n`, () => process.exit(0));
  },
  (error: unknown) => {
    console.error(error);
    process.exit(2);
  },
);
