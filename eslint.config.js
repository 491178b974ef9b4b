import js from "@eslint/js";
import graphqlPlugin from "@graphql-eslint/eslint-plugin";
import prettierConfig from "eslint-config-prettier/flat";
import tseslint from "typescript-eslint";

// `npm run lint`: typescript-eslint (recommended-type-checked) on src/ and test/, and GraphQL ESLint on the emitted
// schemas and the example operations. Both schema files are generated (`npm run schema`): findings are fixed in the
// TypeGraphQL classes, never by editing the .graphql text. Layout is Prettier's (`npm run format`), not ESLint's.

// graphql-eslint loads one graphql-config per process, so every block shares one config with a project per schema.
const graphQLConfig = {
  projects: {
    subgraph: { schema: "schema/schema.graphql" },
    client: { schema: "schema/client.graphql", documents: "schema/operations/*.graphql" },
  },
};
const languageOptions = { parser: graphqlPlugin.parser, parserOptions: { graphQLConfig } };
const plugins = { "@graphql-eslint": graphqlPlugin };
const [, recommendedNaming] = graphqlPlugin.configs["flat/schema-recommended"].rules["@graphql-eslint/naming-convention"];

/** Our own types: schema-recommended, the Relay rules, and a description on every type and output field. */
const projectSchemaRules = {
  ...graphqlPlugin.configs["flat/schema-recommended"].rules,
  ...graphqlPlugin.configs["flat/schema-relay"].rules,
  "@graphql-eslint/require-description": [
    "error",
    { types: true, rootField: true, FieldDefinition: true, InputValueDefinition: true, DirectiveDefinition: true },
  ],
  // No `Node` interface (ReferralMember ids are codes as given, not global ids; see the README's client section), and
  // `nodes` / a payload's `holders` are plain lists next to the connection's edges.
  "@graphql-eslint/relay-edge-types": ["error", { withEdgeSuffix: true, shouldImplementNode: false, listTypeCanWrapOnlyEdgeType: false }],
  // Connection plumbing and mutation payloads are values, not entities: they have no id of their own.
  "@graphql-eslint/strict-id-in-types": ["error", { exceptions: { types: ["PageInfo"], suffixes: ["Connection", "Edge", "Payload"] } }],
};

// Federation 2 machinery that @apollo/subgraph prints into the served SDL: `@link`, the `federation__*` / `link__*`
// definitions, `_entities`, `_service`, `_Any`, `_Entity`, `_Service`. Its names and descriptions are the spec's.
const FEDERATION_NAME = "^(_|link__|federation__)|^(link|key|shareable|authenticated|requiresScopes)$";
const isFederation = `[name.value=/${FEDERATION_NAME}/]`;
const subgraphExclusions = {
  "@graphql-eslint/require-description": [
    "error",
    {
      types: true,
      rootField: true,
      FieldDefinition: true,
      InputValueDefinition: true,
      DirectiveDefinition: true,
      ignoredSelectors: [isFederation, `[parent.name.value=/${FEDERATION_NAME}/]`],
    },
  ],
  "@graphql-eslint/naming-convention": [
    "error",
    {
      ...recommendedNaming,
      allowLeadingUnderscore: true,
      types: { style: "PascalCase", ignorePattern: "^(link|federation)__" },
      DirectiveDefinition: { style: "camelCase", ignorePattern: "^federation__" },
      FieldDefinition: { style: "camelCase", ignorePattern: "^(entities|service)$" },
    },
  ],
  // The federation directives are imported for routers, not used by our types; reachability is checked on the
  // client schema, which has no federation definitions.
  "@graphql-eslint/no-unreachable-types": "off",
  "@graphql-eslint/strict-id-in-types": [
    "error",
    { exceptions: { types: ["PageInfo", "_Service"], suffixes: ["Connection", "Edge", "Payload"] } },
  ],
};

/** Generated code: fixed at its generator, never by hand. */
const GENERATED = [
  "src/voucherify/upstream.generated.ts",
  "src/documents/shipped-documents.generated.ts",
  "test/generated/**",
  "test/relay/__generated__/**",
  "test/documents/codegen-app/gql/**",
  "test/relay/persisted/__generated__/**",
];

const typeScriptBlocks = tseslint.config(
  {
    files: ["src/**/*.ts", "test/**/*.ts"],
    extends: [js.configs.recommended, tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // `async` without `await` is how this code implements Promise-returning interfaces (Apollo plugin hooks, the
      // in-memory CacheStore, DataLoader batch functions): a throw still becomes a rejection.
      "@typescript-eslint/require-await": "off",
      // A leading underscore marks a binding that must exist but is not read (declaration-merged type parameters,
      // counted loop variables, skipped tuple slots).
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrorsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" },
      ],
    },
  },
  {
    // Tests read GraphQL and REST responses as untyped JSON and then assert on its shape: the assertions are the check.
    files: ["test/**/*.ts"],
    rules: {
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-return": "off",
    },
  },
);

export default [
  { ignores: ["dist/**", "coverage/**", ".data/**", ...GENERATED] },
  { linterOptions: { reportUnusedDisableDirectives: "error" } },
  ...typeScriptBlocks,
  { files: ["schema/client.graphql"], languageOptions, plugins, rules: projectSchemaRules },
  { files: ["schema/schema.graphql"], languageOptions, plugins, rules: { ...projectSchemaRules, ...subgraphExclusions } },
  {
    files: ["schema/operations/*.graphql"],
    languageOptions,
    plugins,
    rules: graphqlPlugin.configs["flat/operations-recommended"].rules,
  },
  prettierConfig,
  // Prettier wraps code at 140 but leaves long strings, template literals and comments alone: this catches those.
  { files: ["**/*.ts", "**/*.js"], rules: { "max-len": ["error", { code: 140, ignoreUrls: true }] } },
];
