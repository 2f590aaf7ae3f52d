import type * as pulumi from "@pulumi/pulumi";
import {
  addPartitions,
  createTopic,
  describeTopic,
  recordsHeld,
  retrying,
  setTopicConfigs,
  waitUntilGone,
  withAdmin,
} from "./topic-admin";
import {
  adoptionRefusals,
  diffConfigs,
  diffTopic,
  planTopicUpdate,
  stableFields,
} from "./topic-diff";
import {
  DEFAULT_CONNECTION_TIMEOUT_MS,
  isTopicInputError,
  parseTopicId,
  validateTopicState,
  type TopicState,
} from "./topic-spec";

type Provider = pulumi.dynamic.ResourceProvider<Record<string, unknown>, TopicState>;

/**
 * The Topic dynamic provider: each method opens its own kafkajs admin client (see topic-admin)
 * and closes it before returning. Exported so that tests call the methods directly against
 * real brokers.
 */
export const topicProvider: Provider = {
  check(_olds, news) {
    try {
      return Promise.resolve({ inputs: { ...validateTopicState(news) } });
    } catch (error) {
      if (!isTopicInputError(error)) throw error;
      return Promise.resolve({ failures: [{ property: error.property, reason: error.message }] });
    }
  },

  // A change Kafka cannot make in place fails the preview here, naming the topic and the
  // values; `replaces` stays empty, so the engine never plans a delete-and-recreate.
  diff(_id, olds, news) {
    const { changes, refusals } = diffTopic(olds, validateTopicState(news));
    if (refusals.length > 0) return Promise.reject(new Error(refusals.join("\n")));
    return Promise.resolve({
      changes: changes.length > 0,
      replaces: [],
      // Unchanged fields stay known during preview, so dependants see real values.
      stables: stableFields(changes),
      deleteBeforeReplace: false,
    });
  },

  async create(inputs) {
    const topic = validateTopicState(inputs);
    await withAdmin(topic, "create it", async (admin) => {
      if (await createTopic(admin, topic)) return;
      if (!topic.adoptExisting) {
        throw new Error(
          `topic "${topic.name}" already exists on ${topic.bootstrap}; nothing was changed. ` +
            `Adopt it with \`pulumi import\` (id "${topic.bootstrap}/${topic.name}") or choose another name.`,
        );
      }
      const actual = await describeTopic(admin, topic.name);
      if (actual === undefined) {
        throw new Error(
          `topic "${topic.name}" was reported as existing on ${topic.bootstrap} but cannot be described; nothing was changed. Run \`pulumi up\` again.`,
        );
      }
      const differences = adoptionRefusals(actual, topic);
      if (differences.length > 0) {
        throw new Error(
          `topic "${topic.name}" already exists on ${topic.bootstrap} with ${differences.join(" and ")}; ` +
            `nothing was changed. Declare those values to take it over, or choose another name.`,
        );
      }
      if (diffConfigs(actual.configs, topic.configs).length > 0) {
        await setTopicConfigs(admin, topic.name, topic.configs, true);
        await setTopicConfigs(admin, topic.name, topic.configs, false);
      }
    });
    return { id: topic.name, outs: topic };
  },

  async read(id, props) {
    const { topic, bootstrap } = parseTopicId(id);
    const known = {
      name: topic,
      bootstrap: bootstrap ?? props?.bootstrap ?? "",
      allowDeleteWithData: props?.allowDeleteWithData ?? false,
      connectionTimeoutMs: props?.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS,
      adoptExisting: props?.adoptExisting ?? false,
    };
    if (known.bootstrap === "") {
      throw new Error(
        `topic "${topic}": no brokers to read it from; import it with the id "host:port/${topic}"`,
      );
    }
    const actual = await withAdmin(known, "read it", (admin) => describeTopic(admin, topic));
    // No id tells the engine the topic is gone, so refresh drops it from state.
    if (actual === undefined) return {};
    const state: TopicState = { ...known, ...actual };
    return { id: topic, props: state, inputs: state };
  },

  async update(_id, olds, news) {
    const topic = validateTopicState(news);
    await withAdmin(topic, "update it", async (admin) => {
      const actual = await describeTopic(admin, olds.name);
      if (actual === undefined) {
        throw new Error(
          `topic "${olds.name}" is not on ${topic.bootstrap}; nothing was changed. If bootstrap ` +
            `now names another cluster, declare a new Topic there (a topic cannot move between ` +
            `clusters); if it was deleted outside Pulumi, run \`pulumi refresh\`, then \`pulumi up\`.`,
        );
      }
      const plan = planTopicUpdate(olds, topic, actual.partitions);
      // Ask the broker first, so that a refused config does not leave partitions half-added.
      if (plan.partitionsTo) await addPartitions(admin, topic.name, plan.partitionsTo, true);
      if (plan.configs) await setTopicConfigs(admin, topic.name, plan.configs, true);
      if (plan.partitionsTo) await addPartitions(admin, topic.name, plan.partitionsTo, false);
      if (plan.configs) await setTopicConfigs(admin, topic.name, plan.configs, false);
    });
    return { outs: topic };
  },

  async delete(_id, props) {
    await withAdmin(props, "delete it", async (admin) => {
      if (!(await admin.listTopics()).includes(props.name)) return;
      const held = recordsHeld(await retrying(() => admin.fetchTopicOffsets(props.name)));
      if (held.total > 0 && !props.allowDeleteWithData) {
        throw new Error(
          `topic "${props.name}" still holds ${held.total} records (partitions ` +
            `${held.partitions.join(", ")}), so it was kept. To delete it with its records, set ` +
            `allowDeleteWithData: true, run \`pulumi up\`, then remove it.`,
        );
      }
      await admin.deleteTopics({ topics: [props.name] });
      // Returning before the cluster drops it would let a same-named create fail right after.
      await waitUntilGone(admin, props.name, 30_000);
    });
  },
};
