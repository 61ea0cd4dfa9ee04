// Lint is about mistakes the type checker does not catch (floating promises, unused code);
// formatting is left to the editor.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'dist.*/', '.tools/', '.stack/', '.data/', 'bin/', 'test-output/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // node:test's test() returns a promise the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite', 'before', 'after'] }] },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // lakehouse/table/ and lakehouse/storage/ are used through their folders' index.ts: what a folder
    // keeps to itself can change without touching the rest of the code.
    files: ['**/*.ts'],
    ignores: ['lakehouse/table/**', 'lakehouse/storage/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)lakehouse/table/([^/]+/)?(?!index\\.ts$)[^/]+$|^(\\.\\./)+table/([^/]+/)?(?!index\\.ts$)[^/]+$',
              message: "Import lakehouse/table's folders through their index.ts (see lakehouse/table/index.ts).",
            },
            {
              regex: '(^|/)lakehouse/storage/(?!index\\.ts$)[^/]+$|^(\\.\\./)+storage/(?!index\\.ts$)[^/]+$',
              message: 'Import lakehouse/storage through lakehouse/storage/index.ts.',
            },
          ],
        },
      ],
    },
  },
  { files: ['eslint.config.js'], ...tseslint.configs.disableTypeChecked },
);
