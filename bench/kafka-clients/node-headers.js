// Prints the folder holding include/node/ of the Node running this script, for node-gyp's
// nodedir: beside the binary (a normal install) or in the platform package that npm's `node`
// package installs (./run's Node 22). Fails, naming where it looked, when neither has them.
const { existsSync, readdirSync } = require("node:fs");
const { join, resolve } = require("node:path");
const prefix = resolve(process.execPath, "..", "..");
const packages = join(prefix, "node_modules");
const candidates = [
  prefix,
  ...(existsSync(packages) ? readdirSync(packages).map((name) => join(packages, name)) : []),
];
const found = candidates.find((dir) => existsSync(join(dir, "include", "node", "node_version.h")));
if (!found) {
  console.error(
    `no include/node/node_version.h for Node ${process.version} under ${candidates.join(", ")}; install Node's headers`,
  );
  process.exit(1);
}
console.log(found);
