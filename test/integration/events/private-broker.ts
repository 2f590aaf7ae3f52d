import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  prepareKafkaBroker,
  resolveKafkaJars,
  startKafkaBroker,
  type KafkaBrokerState,
} from "../../services/kafka";
import { cacheDir } from "../../services/manager";
import { stopProcess } from "../../services/processes";

/**
 * A Kafka broker of the calling test file's own, to SIGKILL and restart: the shared brokers
 * other test files use are never killed. Started with Kafka's defaults (the `target` settings).
 */
export class PrivateBroker {
  private constructor(
    private readonly libs: string,
    private readonly prepared: Omit<KafkaBrokerState, "pid" | "startMs" | "rssMiB">,
    private state: KafkaBrokerState | undefined,
    private readonly dir: string,
  ) {}

  static async start(): Promise<PrivateBroker> {
    const libs = resolveKafkaJars(cacheDir);
    const dir = mkdtempSync(join(tmpdir(), "stepwise-private-kafka-"));
    const prepared = await prepareKafkaBroker("target", libs, dir);
    const state = await startKafkaBroker(libs, prepared);
    return new PrivateBroker(libs, prepared, state, dir);
  }

  get bootstrap(): string {
    return this.prepared.bootstrap;
  }

  /** SIGKILL, as a crash would: no shutdown, no flush; returns once the process is gone. */
  async kill(): Promise<void> {
    if (this.state) await stopProcess(this.state.pid, this.prepared.configFile, "SIGKILL", 0);
    this.state = undefined;
  }

  /** Starts it again on the same data and port (recovering the unclean shutdown). */
  async restart(): Promise<void> {
    if (!this.state) this.state = await startKafkaBroker(this.libs, this.prepared);
  }

  async remove(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
