import { describe, expect, it } from "vitest";
import {
  isCredentialName,
  plaintextSecretReason,
  stackConfigSecretFindings,
} from "../../../policies/checks/secrets";

describe("isCredentialName", () => {
  it.each([
    "DB_PASSWORD",
    "PASSWORD",
    "API_TOKEN",
    "SECRET_KEY",
    "AWS_ACCESS_KEY_ID",
    "dbPassword",
    "stepwise:apiKey",
    "KAFKA_SASL_PASSWD",
  ])("%s is credential-like", (name) => expect(isCredentialName(name)).toBe(true));
  it.each([
    "DATABASE_URL",
    "LOG_LEVEL",
    "PASSWORD_FILE",
    "TOKENIZER_MODE",
    "KEYCLOAK_HOST",
    "MONKEY",
  ])("%s is not", (name) => expect(isCredentialName(name)).toBe(false));
});

describe("plaintextSecretReason", () => {
  it.each([
    [
      "DATABASE_URL",
      "postgres://app:s3cret@db:5432/shop",
      "DATABASE_URL holds a URL with a password",
    ],
    ["BROKERS", "amqp://guest:guest@mq", "BROKERS holds a URL with a password"],
    ["DB_PASSWORD", "hunter2", "DB_PASSWORD is credential-like and has a plain value"],
    ["DATABASE_URL", "postgres://app@db:5432/shop", undefined],
    ["DB_PASSWORD", "[secret]", undefined],
    ["DB_PASSWORD", "", undefined],
    [
      "DB_PASSWORD",
      { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: "x" },
      undefined,
    ],
  ])("%s=%j → %s", (name, value, reason) => {
    expect(plaintextSecretReason(name, value)).toBe(reason);
  });
});

describe("stackConfigSecretFindings", () => {
  it("accepts secure values and flags plain credential-like ones, nested too", () => {
    const config = {
      "stepwise:databasePassword": { secure: "v1:abc" },
      "stepwise:environment": "prod",
      "stepwise:apiImages": { orders: "orders:2.0.0" },
      "stepwise:registry": { token: "ghp_plain" },
      "stepwise:mirror": JSON.stringify({ url: "https://user:pw@mirror.example" }),
    };
    expect(stackConfigSecretFindings(config)).toEqual([
      {
        message: "stack config stepwise:registry.token is credential-like and has a plain value",
      },
      { message: "stack config stepwise:mirror.url holds a URL with a password" },
    ]);
  });
});
