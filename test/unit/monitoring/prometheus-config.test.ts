import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { renderPrometheusConfig } from "../../../components/monitoring/prometheus-config";

describe("renderPrometheusConfig", () => {
  it("renders one job per name with its targets labelled by system", () => {
    const text = renderPrometheusConfig(
      [
        { job: "redpanda", address: "redpanda:9644", path: "/public_metrics", system: "redpanda" },
        { job: "kafka", address: "kafka-0:9404", system: "kafka" },
        { job: "kafka", address: "kafka-1:9404", system: "kafka" },
      ],
      { scrapeIntervalSeconds: 30 },
    );
    expect(text).toMatchSnapshot();
    expect(parse(text)).toEqual({
      global: { scrape_interval: "30s" },
      scrape_configs: [
        {
          job_name: "redpanda",
          metrics_path: "/public_metrics",
          static_configs: [{ targets: ["redpanda:9644"], labels: { system: "redpanda" } }],
        },
        {
          job_name: "kafka",
          metrics_path: "/metrics",
          static_configs: [
            { targets: ["kafka-0:9404"], labels: { system: "kafka" } },
            { targets: ["kafka-1:9404"], labels: { system: "kafka" } },
          ],
        },
      ],
    });
  });

  it("renders an empty scrape list when nothing is given, with the 15 s default", () => {
    expect(parse(renderPrometheusConfig([]))).toEqual({
      global: { scrape_interval: "15s" },
      scrape_configs: [],
    });
  });

  it.each([
    [
      { job: "bad job", address: "a:1", system: "x" },
      "endpoints[0].job = \"bad job\": use letters, digits, '_' and '-', starting with a letter",
    ],
    [
      { job: "orders", address: "http://orders:8083", system: "x" },
      'endpoints[0].address = "http://orders:8083": must be host:port, e.g. "orders:8083"',
    ],
    [
      { job: "orders", address: "orders", system: "x" },
      'endpoints[0].address = "orders": must be host:port, e.g. "orders:8083"',
    ],
    [
      { job: "orders", address: "orders:8083", path: "metrics", system: "x" },
      "endpoints[0].path = \"metrics\": must start with '/'",
    ],
  ])("rejects %j", (endpoint, message) => {
    expect(() => renderPrometheusConfig([endpoint])).toThrow(message);
  });

  it("rejects two paths for one job", () => {
    expect(() =>
      renderPrometheusConfig([
        { job: "orders", address: "orders:8083", system: "compose" },
        { job: "orders", address: "10.0.0.20:8083", path: "/stats", system: "k3s" },
      ]),
    ).toThrow(
      'endpoints[1].path = "/stats": job "orders" already scrapes "/metrics"; use one path per job or another job name',
    );
  });
});
