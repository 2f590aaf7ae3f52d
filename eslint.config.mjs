// ESLint flat config: typescript-eslint's type-aware rules, Pulumi's own rules, and the layer
// rules: imports run one way, components <- migrations <- policies and the program
// (migrations/program, which does not import the policies either) <- tools <- tools/cli, and no
// import cycles. CONTRIBUTING.md shows the layers; test/unit/lint/ proves that a back-edge or a
// cycle fails `npm run lint`.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import pulumi from "@pulumi/eslint-plugin";
import importX, { createNodeResolver } from "eslint-plugin-import-x";

/** Source files that belong to a layer (tests, benches and fixtures import from every layer). */
const LAYERED = ["components/**/*.ts", "migrations/**/*.ts", "policies/**/*.ts", "tools/**/*.ts"];

/** Pulumi projects of users' own, inside this repository. */
const USER_PROJECTS = ["examples/**/*.ts", "test/fixtures/user-project/**/*.ts"];

/** Each layer and what it must not import: everything above it. */
const zone = (target, from, layer) => ({
  target,
  from,
  message: `${layer} may not import from a layer above it (components <- migrations <- policies | migrations/program <- tools <- tools/cli; policies and the program do not import each other); move what both need down (CONTRIBUTING.md, "Layers").`,
});
/** What policies/ may not import: the layers above it, and the program beside it. */
const ABOVE_POLICIES = ["./migrations/program", "./tools", "./api"];
const LAYER_ZONES = [
  zone("./components", ["./migrations", "./policies", ...ABOVE_POLICIES], "components/"),
  zone(
    ["./migrations/*.ts", "./migrations/!(program)/**"],
    ["./policies", ...ABOVE_POLICIES],
    "migrations/",
  ),
  zone("./policies", ABOVE_POLICIES, "policies/"),
  // The program gets the stepwise:policy check passed in (api/program.ts): it never imports it.
  zone("./migrations/program", ["./policies", "./tools", "./api"], "migrations/program/"),
  zone(["./tools/*.ts", "./tools/!(cli)/**"], ["./tools/cli", "./api"], "tools/"),
];

export default tseslint.config(
  {
    ignores: [
      "node_modules/",
      "dist/",
      ".cache/",
      "**/*.js",
      "**/*.mjs",
      "test/unit/lint/fixtures/",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { "@pulumi": pulumi },
    rules: {
      "@pulumi/no-output-in-template-literal": "error",
      "@pulumi/no-output-instance-in-template-literal": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
    },
  },
  {
    // Projects of users' own (the examples, the packaging test's project) import the installed
    // package, which the repository's tsconfig does not resolve: linted without type information,
    // and held to the package's public entry points.
    files: USER_PROJECTS,
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: USER_PROJECTS,
    rules: {
      // Pulumi's rules need the type information these files are linted without.
      "@pulumi/no-output-in-template-literal": "off",
      "@pulumi/no-output-instance-in-template-literal": "off",
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["../**"],
              message: "a user project imports stepwise through the package, not its sources",
            },
            {
              group: [
                "stepwise-iac/*",
                "!stepwise-iac/policies",
                "!stepwise-iac/events",
                "!stepwise-iac/db",
              ],
              message:
                "only stepwise-iac, stepwise-iac/policies, /events and /db are public (docs/api.md)",
            },
          ],
        },
      ],
    },
  },
  {
    // The fixtures of test/unit/lint/ (ignored above) are checked only by that test.
    files: [...LAYERED, "test/unit/lint/fixtures/**/*.ts"],
    plugins: { "import-x": importX },
    settings: {
      // Without .ts here import-x skips TypeScript modules when it follows imports for no-cycle.
      "import-x/extensions": [".ts"],
      "import-x/resolver-next": [createNodeResolver({ extensions: [".ts", ".js", ".json"] })],
    },
    rules: {
      "import-x/no-restricted-paths": [
        "error",
        { basePath: import.meta.dirname, zones: LAYER_ZONES },
      ],
      "import-x/no-cycle": ["error", { ignoreExternal: true }],
    },
  },
);
