/**
 * Every diagnostic code etlx emits, with what it means. A code is typed as one of these keys, so
 * a new one can't be used without an entry here; tests and JSON logs key on them, so a code's
 * meaning never changes once released.
 */
export const DIAGNOSTIC_CODES = {
  // Command line and project folder
  E_ARGS: 'a command-line value is invalid',
  E_PROJECT_NOT_FOUND: 'no etlx.yml in the project folder',
  E_TARGET_PATH: 'target-path cannot be created or written',
  E_CLEAN: 'etlx clean refuses to remove the target path',
  E_INIT_EXISTS: 'etlx init would overwrite a project',
  E_VARS: '--vars is not a YAML mapping',
  E_SELECTOR: 'a --select/--exclude selector is invalid or matches nothing',
  E_STATE: 'the --state folder has no usable manifest.json',
  E_RETRY: 'there is nothing etlx retry can repeat',
  E_INTERNAL: 'a bug in etlx',
  // YAML and config
  E_YAML_SYNTAX: 'a YAML file does not parse',
  E_CONFIG_UNKNOWN_KEY: 'a config or properties key is unknown',
  E_CONFIG_TYPE: 'a config value has the wrong type',
  E_CONFIG_MISSING: 'a required config key is missing',
  E_CONFIG_VALUE: 'a config value is not allowed',
  E_CONFIG_ARGS: '{{config}} has positional arguments',
  E_CONFIG_NOT_LITERAL: '{{config}} has a value that is not a literal',
  E_DUPLICATE_NAME: 'two nodes share a name',
  E_DUPLICATE_PROPERTIES: 'a node is described in two properties entries',
  E_PROPERTIES_UNKNOWN_MODEL: 'a properties entry names a model that does not exist',
  E_PROPERTIES_UNKNOWN_SEED: 'a properties entry names a seed that does not exist',
  // Profiles and the warehouse
  E_PROFILES_NOT_FOUND: 'no profiles.yml defines the profile asked for',
  E_PROFILE_NOT_FOUND: 'the profile is not in profiles.yml',
  E_TARGET_NOT_FOUND: 'the target is not in the profile',
  E_PROFILE_ENV: 'a profile value reads an environment variable that is not set',
  E_PROFILE_SETTINGS: 'the engine rejects a profile setting',
  E_PROFILE_SETUP: 'a profile attach or extension failed',
  E_EXTENSION: 'an extension that is not bundled is needed',
  E_OPEN: 'the warehouse cannot be opened',
  E_LOCKED: 'another process holds the warehouse',
  E_NOT_BUILT: 'the warehouse has not been built yet',
  // Templates and dependencies
  E_TEMPLATE_SYNTAX: 'a template does not parse',
  E_TEMPLATE_HELPER: 'a template uses a helper that does not exist or is used wrongly',
  E_TEMPLATE_PARTIAL: 'a partial is used wrongly',
  E_TEMPLATE_RENDER: 'a template cannot be rendered',
  E_MACRO_NOT_FOUND: 'a partial names a macro that does not exist',
  E_REF_ARGS: '{{ref}} has the wrong arguments',
  E_REF_NOT_LITERAL: '{{ref}} has an argument that is not a literal',
  E_REF_NOT_FOUND: '{{ref}} names no model or seed',
  E_REF_DISABLED: '{{ref}} names a disabled model',
  E_SOURCE_ARGS: '{{source}} has the wrong arguments',
  E_SOURCE_NOT_LITERAL: '{{source}} has an argument that is not a literal',
  E_SOURCE_NOT_FOUND: '{{source}} names no declared source',
  E_VAR_ARGS: '{{var}} has the wrong arguments',
  E_VAR_MISSING: '{{var}} has no value and no default',
  E_ENV_MISSING: '{{env}} reads a variable that is not set and has no default',
  E_CYCLE: 'the dependencies form a cycle',
  E_SQL_SYNTAX: 'rendered SQL does not parse',
  // Tests
  E_TEST_UNKNOWN: 'a test names no known generic test',
  E_TEST_SHAPE: 'a test entry has the wrong shape',
  E_TEST_ARG: 'a test argument is missing or wrong',
  E_TEST_LEVEL: 'a test is used at a level it does not support',
  // Run time
  E_RUNTIME_SQL: 'the engine rejected a statement while running',
  E_SOURCE_MISSING: "a source's staging files are missing",
  E_SEED_LOAD: 'a seed file is malformed',
  E_DUPLICATE_KEY: 'new rows of an incremental model repeat a unique_key',
  E_SCHEMA_CHANGE: "new rows' columns differ and on_schema_change refuses it",
  E_HOOK: 'an on-run-start or on-run-end hook failed',
  E_FRESHNESS: 'a source freshness check cannot run',
  E_INTERRUPTED: 'the run was interrupted',
  E_SHOW: 'etlx show cannot read the relation',
  E_SHOW_UNKNOWN: 'etlx show names no model or seed',
  // Docs
  E_DOCS_SERVE: 'etlx docs serve cannot listen on the host and port',
} as const;

export type DiagnosticCode = keyof typeof DIAGNOSTIC_CODES;
