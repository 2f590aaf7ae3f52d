import type * as pulumi from "@pulumi/pulumi";
import { withPgClient } from "./pg-client";
import { addNodeSql, readNodeSql, removeNodeSql } from "./citus-sql";

/** What CitusNodeRegistration hands its provider, resolved. */
export interface CitusNodeInputs {
  /** postgres:// URL of the coordinator, reachable from where Pulumi runs. */
  readonly connectionString: string;
  /** Worker host name as the coordinator resolves it (in-platform name). */
  readonly nodeName: string;
  readonly nodePort: number;
  /** How long to keep retrying while the coordinator or worker is still starting. */
  readonly readyTimeoutSeconds: number;
}

export interface CitusNodeOutputs extends CitusNodeInputs {
  readonly nodeId: number;
}

interface NodeRow {
  nodeid: number;
  isactive?: boolean;
}

/** Retries while containers start: a fresh coordinator or worker refuses connections for a while. */
async function untilReady<T>(timeoutSeconds: number, attempt: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (Date.now() >= deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }
}

export const citusNodeProvider: pulumi.dynamic.ResourceProvider = {
  diff(_id: string, olds: CitusNodeOutputs, news: CitusNodeInputs) {
    const replaces = (["nodeName", "nodePort"] as const).filter((key) => olds[key] !== news[key]);
    const changes = replaces.length > 0 || olds.connectionString !== news.connectionString;
    return Promise.resolve({ changes, replaces, deleteBeforeReplace: true });
  },

  create(inputs: CitusNodeInputs) {
    return untilReady(inputs.readyTimeoutSeconds, () =>
      withPgClient(inputs.connectionString, async (client) => {
        const add = addNodeSql(inputs.nodeName, inputs.nodePort);
        const { rows } = await client.query<NodeRow>(add.text, [...add.values]);
        const outs: CitusNodeOutputs = { ...inputs, nodeId: rows[0].nodeid };
        return { id: `${inputs.nodeName}:${inputs.nodePort}`, outs };
      }),
    );
  },

  read(id: string, props: CitusNodeOutputs) {
    return withPgClient(props.connectionString, async (client) => {
      const read = readNodeSql(props.nodeName, props.nodePort);
      const { rows } = await client.query<NodeRow>(read.text, [...read.values]);
      // No row: the worker was removed outside Pulumi.
      return rows[0] ? { id, props: { ...props, nodeId: rows[0].nodeid } } : {};
    });
  },

  update(_id: string, olds: CitusNodeOutputs, news: CitusNodeInputs) {
    // Only the coordinator URL (e.g. a rotated password) changed: nothing to run.
    return Promise.resolve({ outs: { ...news, nodeId: olds.nodeId } });
  },

  delete(_id: string, props: CitusNodeOutputs) {
    return withPgClient(props.connectionString, async (client) => {
      const remove = removeNodeSql(props.nodeName, props.nodePort);
      await client.query(remove.text, [...remove.values]);
    });
  },
};
