/**
 * npm run services -- start [--kubernetes] | stop | status
 * Starts (or reuses), stops, or describes the real Kafka brokers and PostgreSQL the
 * integration tests use, and with --kubernetes the Kubernetes control plane the engine tests
 * use (built by test/engine/build-kubernetes.sh). The test command starts them by itself; this
 * is for working by hand.
 */
import { describe, endpoints, healthy, readState, startServices, stopServices } from "./manager";
import { MissingPrerequisite } from "./prerequisites";

async function main(command: string | undefined, flags: readonly string[]): Promise<number> {
  switch (command) {
    case "start": {
      const unknown = flags.filter((flag) => flag !== "--kubernetes");
      if (unknown.length > 0) {
        console.error(`unknown option ${unknown.join(" ")}; start takes only --kubernetes`);
        return 2;
      }
      const { state } = await startServices((line) => console.log(line), {
        kubernetes: flags.includes("--kubernetes"),
      });
      console.log(JSON.stringify(endpoints(state).kafka));
      return 0;
    }
    case "stop":
      await stopServices();
      console.log("test services stopped");
      return 0;
    case "status": {
      const state = readState();
      if (!state) {
        console.log("test services: not running");
        return 1;
      }
      console.log(`${describe(state)}\nhealthy: ${await healthy(state)}`);
      return 0;
    }
    default:
      console.error("usage: npm run services -- start [--kubernetes] | stop | status");
      return 2;
  }
}

main(process.argv[2], process.argv.slice(3)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(
      error instanceof MissingPrerequisite ? `missing prerequisite: ${error.message}` : error,
    );
    process.exit(error instanceof MissingPrerequisite ? 3 : 1);
  },
);
