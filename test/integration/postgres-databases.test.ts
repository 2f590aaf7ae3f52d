import { describe, expect, it } from "vitest";
import { postgres, services } from "./support/services";

describe("postgres test cluster", () => {
  it.each(["legacy", "target"] as const)(
    "serves the %s database on 127.0.0.1",
    async (database) => {
      const client = await postgres(database);
      try {
        const { rows } = await client.query<{ db: string; addr: string; v: number }>(
          "SELECT current_database() AS db, inet_server_addr()::text AS addr, current_setting('server_version_num')::int AS v",
        );
        expect(rows[0].db).toBe(services().postgres.databases[database]);
        expect(rows[0].addr).toBe("127.0.0.1/32");
        expect(rows[0].v).toBeGreaterThanOrEqual(150000);
      } finally {
        await client.end();
      }
    },
  );

  it("keeps the two databases apart", async () => {
    const legacy = await postgres("legacy");
    const target = await postgres("target");
    try {
      await legacy.query("CREATE TABLE IF NOT EXISTS only_in_legacy (id int)");
      const { rows } = await target.query<{ found: string | null }>(
        "SELECT to_regclass('only_in_legacy')::text AS found",
      );
      expect(rows[0].found).toBeNull();
    } finally {
      await legacy.query("DROP TABLE IF EXISTS only_in_legacy");
      await Promise.all([legacy.end(), target.end()]);
    }
  });
});
