import { describe, expect, it } from "vitest";
import { EVENTS_PATH, MIGRATION_PATHS, pathDiagram } from "../../../migrations";

describe("pathDiagram", () => {
  it("draws the events path: forward steps with their gates, rollbacks dashed back with theirs", () => {
    expect(pathDiagram(EVENTS_PATH)).toBe(
      [
        "flowchart LR",
        '  p0["Redpanda only<br/><code>redpanda</code>"]',
        '  p1["Parallel running<br/><code>parallel</code>"]',
        '  p2["Dual publishing<br/><code>dual-publish</code>"]',
        '  p3["Consumers on Kafka<br/><code>consumers-on-kafka</code>"]',
        '  p4["Cutover<br/><code>kafka-only</code> (cutover)"]',
        '  p5["Redpanda retired<br/><code>redpanda-retired</code> (retires old)"]',
        '  p0 -->|"gate: compatibility-verified"| p1',
        "  p1 --> p2",
        '  p2 -->|"gate: offsets-migrated"| p3',
        "  p3 --> p4",
        "  p4 --> p5",
        "  p1 -.->|rollback| p0",
        "  p2 -.->|rollback| p1",
        '  p3 -.->|"rollback, gate: offsets-migrated-back"| p2',
        '  p4 -.->|"rollback, gate: messages-synced-back"| p3',
        "  p5 -.->|rollback| p4",
        "  classDef retirement stroke-dasharray: 4 4",
        "  classDef current fill:#d1e7dd,stroke:#198754,stroke-width:3px",
        "  classDef next fill:#fff3cd,stroke:#fd7e14,stroke-width:3px",
        "  class p5 retirement",
        "",
      ].join("\n"),
    );
  });

  it("marks a phase change: current, next and the edge between them", () => {
    const text = pathDiagram(EVENTS_PATH, { current: "parallel", next: "dual-publish" });
    expect(text).toContain(
      "  class p1 current\n  class p2 next\n  linkStyle 1 stroke:#fd7e14,stroke-width:4px\n",
    );
  });

  it("marks a rollback on the dashed edge back", () => {
    const text = pathDiagram(EVENTS_PATH, { current: "dual-publish", next: "parallel" });
    // Edges 0-4 go forward; the rollback from p2 is the second rollback edge.
    expect(text).toContain("  class p2 current\n  class p1 next\n  linkStyle 6 stroke");
  });

  it("draws a change that is not one step as its own edge, so the reviewer sees the jump", () => {
    const text = pathDiagram(EVENTS_PATH, { current: "redpanda", next: "dual-publish" });
    expect(text).toContain('  p0 ==>|"not one step"| p2\n');
    expect(text).toContain("linkStyle 10 stroke");
  });

  it("refuses a phase the path does not have", () => {
    expect(() => pathDiagram(EVENTS_PATH, { current: "kafka" })).toThrow(
      'path "events" has no phase "kafka"',
    );
  });

  it.each(Object.values(MIGRATION_PATHS))("draws every phase and rollback of $id", (path) => {
    const text = pathDiagram(path);
    for (const phase of path.phases) expect(text).toContain(`<code>${phase.id}</code>`);
    expect(text.match(/-\.->\|"?rollback/g)).toHaveLength(path.phases.length - 1);
    expect(text).toMatchSnapshot();
  });
});
