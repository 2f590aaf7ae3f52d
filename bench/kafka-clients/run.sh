#!/usr/bin/env bash
# Compares the Kafka clients on the test brokers (docs/events-tooling.md, "Which Kafka client"):
#   bench/kafka-clients/run.sh      [KAFKA_CLIENTS_ROUNDS=5] [KAFKA_CLIENTS_MESSAGES=50000]
# Installs this folder's own packages on first use and whenever package-lock.json changes. They
# stay out of the root install: @confluentinc/kafka-javascript builds librdkafka from source here
# (minutes on 2 cores), which needs a C/C++ toolchain and the development packages of OpenSSL,
# zlib, Cyrus SASL and zstd (Debian: libssl-dev zlib1g-dev libsasl2-dev libzstd-dev). It is an
# optional dependency: when its build fails, the others are measured and the run says so.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
stamp="$here/node_modules/.stepwise-lock"
if [ ! -f "$stamp" ] || ! cmp -s "$here/package-lock.json" "$stamp"; then
  for lib in libssl zlib libsasl2 libzstd; do
    pkg-config --exists "$lib" 2>/dev/null ||
      echo "kafka-clients: $lib development files not found; librdkafka may build without it or fail" >&2
  done
  echo "kafka-clients: npm ci in $here (builds librdkafka from source: several minutes)" >&2
  # Linked against the system's libraries: librdkafka's static build downloads their sources
  # from their own sites, and its prebuilt binary comes from a release host; neither is reachable.
  # node-gyp compiles against the headers of the Node that runs the bench (./run's Node 22),
  # not an older system Node's (npm's nodedir may point there): the addon is tied to its ABI.
  CKJS_LINKING=dynamic "$root/run" bash -c "cd '$here' &&
    npm_config_nodedir=\"\$(node '$here/node-headers.js')\" npm ci --no-audit --no-fund"
  cp "$here/package-lock.json" "$stamp"
fi
exec "$root/run" npx tsx "$here/compare.ts"
