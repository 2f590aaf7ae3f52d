/**
 * npm run services -- start | stop | status
 * Starts (or reuses), stops, or describes the real Kafka brokers and PostgreSQL the
 * integration tests use. The test command starts them by itself; this is for working by hand.
 */
import { describe, endpoints, healthy, readState, startServices, stopServices } from "./manager";
import { MissingPrerequisite } from "./prerequisites";

async function main(command: string | undefined): Promise<number> {
  switch (command) {
    case "start": {
      const { state } = await startServices((line) => console.log(line));
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
      console.error("usage: npm run services -- start | stop | status");
      return 2;
  }
}

main(process.argv[2]).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(
      error instanceof MissingPrerequisite ? `missing prerequisite: ${error.message}` : error,
    );
    process.exit(error instanceof MissingPrerequisite ? 3 : 1);
  },
);
