import { describe, expect, it } from "vitest";
import {
  containsPlaintextSecret,
  isCredentialName,
  plaintextSecretReason,
  secretShape,
  WITHHELD_SECRET,
} from "../../../components/spec/plaintext-secret";

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
    // Missed before: other spellings of the same thing.
    "PGPASS",
    "DB_PASS",
    "SMTP_PASS",
    "ACCESSKEY",
    "SECRETS",
    "PASSPHRASE",
    "SSL_KEY_PASSPHRASE",
    "DBPASSWORD",
    "MYSQL_ROOT_PWD",
    "clientSecret",
    "GOOGLE_CREDENTIALS",
    "authTokens",
    // Inputs of other providers' resources (issue 22).
    "password",
    "masterPassword",
    "adminPassword",
    "authToken",
    "secretString",
    "SECRET_ACCESS_KEY",
    "signingKey",
  ])("%s is credential-like", (name) => expect(isCredentialName(name)).toBe(true));
  it.each([
    "DATABASE_URL",
    "LOG_LEVEL",
    "PASSWORD_FILE",
    "PGPASSFILE",
    "SECRET_NAME",
    "SECRETS_DIR",
    "TOKEN_URL",
    "TOKEN_TTL",
    "TOKENIZER_MODE",
    "KEYCLOAK_HOST",
    "MONKEY",
    "PARTITION_KEYS",
    "BYPASS_CACHE",
    "COMPASS_HOST",
    "PWD",
    "PASSENGER_COUNT",
    // Names that point at or describe a credential, or hold a public or an identifying key.
    "keyName",
    "publicKey",
    "JWT_PUBLIC_KEY",
    "aws:skipCredentialsValidation",
    "DB_SECRET_ARN",
    "OAUTH_TOKEN_URL",
    "kmsKeyId",
    "passwordPolicy",
    "key",
    "sshKeyName",
  ])("%s is not", (name) => expect(isCredentialName(name)).toBe(false));
});

describe("secretShape: a secret whatever its name", () => {
  it.each([
    ["postgres://app:s3cret@db:5432/shop", "a URL with a password"],
    ["amqp://guest:guest@mq", "a URL with a password"],
    ["jdbc:mysql://app:s3cret@db:3306/shop", "a URL with a password"],
    ["app:s3cret@tcp(db:3306)/shop", "a URL with a password"],
    ["--broker=redis://:s3cret@cache:6379", "a URL with a password"],
    ["host=db port=5432 user=app password=s3cret dbname=shop", 'a "password" setting'],
    ["host=db password='two words' dbname=shop", 'a "password" setting'],
    ["jdbc:postgresql://db:5432/shop?user=app&password=s3cret", 'a "password" setting'],
    ["jdbc:sqlserver://db:1433;databaseName=shop;password=s3cret", 'a "password" setting'],
    ["-Xmx1g -Dspring.datasource.password=s3cret", 'a "spring.datasource.password" setting'],
    ['{"user": "app", "apiKey": "k-123"}', 'a "apiKey" setting'],
    [
      "apiVersion: v1\nkind: Config\nusers:\n- name: admin\n  user:\n    token: kube-tok-1\n",
      'a kubeconfig with credentials ("token")',
    ],
    [
      "apiVersion: v1\nkind: Config\nusers:\n- name: a\n  user:\n    client-key-data: QUJD\n",
      'a kubeconfig with credentials ("client-key-data")',
    ],
    ["Basic YWRtaW46czNjcmV0", "Basic credentials"],
    ["Authorization: Token abc", "an Authorization header"],
    ["Bearer 9f8e7d6c5b4a39281706", "a bearer token"],
    [
      "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n-----END OPENSSH PRIVATE KEY-----",
      "a private key",
    ],
    [
      Buffer.from("-----BEGIN RSA PRIVATE KEY-----\nMIIE\n").toString("base64"),
      "a private key (base64)",
    ],
    [`ghp_${"a1".repeat(18)}`, "a GitHub token"],
    ["AKIAABCDEFGHIJKLMNOP", "an AWS access key"],
    ["eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJlLXh5eg", "a JSON Web Token"],
  ])("%j is %s", (text, shape) => expect(secretShape(text)).toBe(shape));

  it.each([
    "postgres://app@db:5432/shop",
    "postgres://app:$(DB_PASSWORD)@db:5432/shop",
    "postgres://app:${DB_PASSWORD}@db/shop",
    "http://inventory:8084/health",
    "host=db user=app dbname=shop",
    "PASSWORD_FILE=/run/secrets/db",
    "--password-file=/run/secrets/db",
    "password=",
    "INTERNAL:PLAINTEXT,EXTERNAL:PLAINTEXT",
    "apiVersion: v1\nkind: Config\nusers:\n- name: a\n  user:\n    exec:\n      command: aws\n",
    "Basic authentication is required",
    "Bearer authentication",
    "firstviscount/product-catalog@sha256:0123456789abcdef",
    "-----BEGIN CERTIFICATE-----",
    "compatibility: 6 topics, 0 blocking differences",
  ])("%j is not a secret", (text) => expect(secretShape(text)).toBeUndefined());
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
    ["PGPASS", "hunter2", "PGPASS is credential-like and has a plain value"],
    ["UPSTREAM", "Basic YWRtaW46czNjcmV0", "UPSTREAM holds Basic credentials"],
    ["DB_PASSWORD", WITHHELD_SECRET, "DB_PASSWORD holds a plaintext secret (withheld)"],
    // Dressed up as a mask or a reference, a value is still plain.
    ["DB_PASSWORD", "[secret]hunter2", "DB_PASSWORD is credential-like and has a plain value"],
    ["DB_PASSWORD", "$ecret123", "DB_PASSWORD is credential-like and has a plain value"],
    ["DSN", "postgres://a:[secret]x@db/a", "DSN holds a URL with a password"],
    ["DATABASE_URL", "postgres://app@db:5432/shop", undefined],
    ["PASSWORD_FILE", "/run/secrets/x", undefined],
    ["SECRET_NAME", "foo", undefined],
    ["TOKEN_REFRESH", "true", undefined],
    ["DB_PASSWORD", "$(DB_PASSWORD_FROM_SECRET)", undefined],
    ["DB_PASSWORD", "[secret]", undefined],
    ["DB_PASSWORD", "[secret:0123456789ab]", undefined],
    ["DB_PASSWORD", "", undefined],
    ["DB_PASSWORD", 42, undefined],
    [
      "DB_PASSWORD",
      { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: "x" },
      undefined,
    ],
  ])("%s=%j → %s", (name, value, reason) => {
    expect(plaintextSecretReason(name, value)).toBe(reason);
  });

  it("never repeats the value in its reason", () => {
    for (const [name, value] of [
      ["DB_PASSWORD", "hunter2-xyz"],
      ["DSN", "host=db password=hunter2-xyz"],
      ["URL", "postgres://a:hunter2-xyz@db/x"],
    ] as const) {
      expect(plaintextSecretReason(name, value)).not.toContain("hunter2-xyz");
    }
  });
});

describe("containsPlaintextSecret", () => {
  it("looks into maps and lists, by key and by shape", () => {
    expect(containsPlaintextSecret({ registry: { token: "ghp-plain" } })).toBe(true);
    expect(containsPlaintextSecret(["a", "postgres://u:p@h/db"])).toBe(true);
    expect(containsPlaintextSecret({ image: "nginx:1.27", replicas: 2 })).toBe(false);
    expect(containsPlaintextSecret({ password: { secure: "v1:abc" } })).toBe(false);
    expect(containsPlaintextSecret("[secret]")).toBe(false);
  });
});
