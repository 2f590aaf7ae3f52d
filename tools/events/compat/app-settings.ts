/** The application's producer and consumer settings, as the compatibility check reads them. */
import { z } from "zod";

export const appSettingsSchema = z
  .object({
    producer: z
      .object({
        acks: z.union([z.literal(-1), z.literal(0), z.literal(1)]).optional(),
        idempotent: z.boolean().optional(),
        transactional: z.boolean().optional(),
        /** The largest message the application sends, in bytes. */
        maxMessageBytes: z.number().int().positive().optional(),
        allowAutoTopicCreation: z.boolean().optional(),
      })
      .strict()
      .optional(),
    consumer: z
      .object({
        sessionTimeoutMs: z.number().int().positive().optional(),
        isolationLevel: z.enum(["read_committed", "read_uncommitted"]).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export type AppSettings = z.infer<typeof appSettingsSchema>;

/** Parses settings, naming the field, the value and what is expected when something is wrong. */
export function parseAppSettings(input: unknown, source: string): AppSettings {
  const result = appSettingsSchema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue.path.join(".") || "(top level)";
  const value = valueAt(input, issue.path);
  throw new Error(
    `${source}: field '${field}' ${value === undefined ? "" : `has value ${JSON.stringify(value)}: `}${issue.message}`,
  );
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current = input;
  for (const key of path) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}
