import { Client } from "pg";

/**
 * Runs `work` on a fresh node-postgres connection and always closes it. Dynamic providers call
 * this inside each CRUD method: objects made at module load do not survive closure
 * serialization, so no client is ever kept between calls.
 */
export async function withPgClient<T>(
  connectionString: string,
  work: (client: Client) => Promise<T>,
): Promise<T> {
  const client = new Client({ connectionString });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
