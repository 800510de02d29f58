// Lint: typescript-eslint's recommended rules plus the few project rules that keep the CLI honest.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'test-artifacts/', '.tmp/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', fetch: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly', structuredClone: 'readonly', performance: 'readonly', setImmediate: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    // Handlers return results; only bin/ sets the exit code, once.
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-properties': ['error', { object: 'process', property: 'exit', message: 'Throw an McpError; bin/ sets process.exitCode once.' }],
    },
  },
  {
    // The layering (docs/architecture.md): the engines and domain modules below the command layer never import
    // the commands or the CLI shell — they take what they need as arguments and throw McpError (src/errors.ts).
    files: ['src/{run,db,config,backup,runtime,k8s,health,ops,data,dashboard}/**/*.ts', 'src/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/cli/*', '**/cli/**', '../cli', './cli'], message: 'below the CLI: take what you need as arguments (see EngineEnv in src/cli/context.ts for the shape); errors come from src/errors.ts' },
            { group: ['**/commands/*', '**/commands/**'], message: 'below the command layer: a command may call you, not the other way round' },
          ],
        },
      ],
    },
  },
  {
    // Commands are thin: options → engine → result. They never talk to the drivers or child processes directly.
    files: ['src/commands/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: ['pg', 'mongodb', 'execa', '@electric-sql/pglite'].map((name) => ({ name, message: 'commands go through src/db, src/runtime (exec.ts) and the engines' })) }],
    },
  },
  {
    // The dashboard page's script runs in the browser (served as is, no build step).
    files: ['src/dashboard/assets/**/*.js'],
    languageOptions: {
      sourceType: 'script',
      globals: { document: 'readonly', window: 'readonly', location: 'readonly', history: 'readonly', sessionStorage: 'readonly', CSS: 'readonly', confirm: 'readonly' },
    },
  },
);
