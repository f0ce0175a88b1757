// ESLint for src/ and test/, with type information from tsconfig.json (the
// program `npm run typecheck` checks). Layout is prettier's job, not ESLint's.
'use strict';

const js = require('@eslint/js');
const comments = require('@eslint-community/eslint-plugin-eslint-comments/configs');
const globals = require('globals');
const tseslint = require('typescript-eslint');

const exitMessage = 'Only bin/mlpath ends the process: return an exit code to src/cli/main.ts, or throw.';

module.exports = tseslint.config(
  {
    ignores: [
      'dist/**',
      'coverage/**',
      'demo-workspace/**',
      '.tmp/**',
      // Learner code: submissions break the rules on purpose (process.exit, floating promises, any).
      'test/fixtures/**',
      // Starters and references are learner code too: graded, bundled and type-checked as such.
      'exercises/**',
      'solutions/**',
    ],
  },
  {
    files: ['src/**/*.ts', 'test/**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked, comments.recommended],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: __dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      // A variable a closure may read before its first assignment stays `let`: a const would still be in its dead zone.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // `import fs = require('node:fs')` is the module object itself, which the child patches in place.
      '@typescript-eslint/no-require-imports': ['error', { allowAsImport: true }],
      // A directive names the rule it silences and says why, after `--`.
      '@eslint-community/eslint-comments/require-description': ['error', { ignore: ['eslint-enable'] }],
      '@eslint-community/eslint-comments/no-unlimited-disable': 'error',
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'exit', message: exitMessage },
        { object: 'process', property: 'reallyExit', message: exitMessage },
      ],
      // A shape printed as `[${shape}]` reads `[2,3]`: arrays in templates are deliberate.
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        {
          allowAny: true,
          allowBoolean: true,
          allowNullish: true,
          allowNumber: true,
          allowRegExp: true,
          allowArray: true,
        },
      ],
      // async without await is deliberate: commands' run() and loaders' load() return promises by contract,
      // and an async function turns a throw into a rejection.
      '@typescript-eslint/require-await': 'off',
      // The code strips terminal escapes and XML-invalid characters: control characters in a regex are the point.
      'no-control-regex': 'off',
    },
  },
  {
    // The harness is the entry file of the grading child (bundled as dist/grader/child.cjs): the child's bin/mlpath.
    // It ends its own process, through the original exit that learner code cannot replace.
    files: ['src/grader/harness.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    // Backends load lazily and by resolved path (tfjs-node from a course repository, the wasm worker's source):
    // a static import would load TensorFlow.js for every command, and a path is not an import.
    files: ['src/backend/init.ts', 'src/backend/wasm-thread-worker.ts'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The child keeps built-ins' original methods before learner code runs and calls them with Reflect.apply.
    files: ['src/grader/child/**/*.ts'],
    rules: { '@typescript-eslint/unbound-method': 'off' },
  },
  {
    // bin/, scripts/, bench/ and the jest helpers: plain CommonJS run by Node.
    files: ['**/*.js'],
    extends: [js.configs.recommended],
    languageOptions: { sourceType: 'commonjs', globals: globals.node },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: { 'no-unused-vars': ['error', { argsIgnorePattern: '^_', caughtErrors: 'none' }] },
  },
  {
    // Tests read JSON reports and child output, typed `any`, and assert on them: the assertion is the check.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
);
