// ESLint for the console (web/js: ES modules run by the browser, no build step). Run from the
// repository root, as CTest's lint.eslint does:
//   tests/e2e/node_modules/.bin/eslint --config tests/e2e/eslint.config.mjs web
// Paths below are relative to the repository root.

import js from '@eslint/js';
import globals from 'globals';
import { defineConfig } from 'eslint/config';

export default defineConfig([
  {
    files: ['web/**/*.js'],
    extends: [js.configs.recommended],
    languageOptions: {
      ecmaVersion: 2024,
      sourceType: 'module',
      globals: globals.browser,
    },
    linterOptions: {
      reportUnusedDisableDirectives: 'error',
    },
    rules: {
      eqeqeq: ['error', 'always'],
      'no-var': 'error',
      'prefer-const': 'error',
      'no-unused-vars': ['error', { args: 'after-used', caughtErrors: 'all' }],
      // The console's structure (issue 11): small page functions, small files.
      'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true }],
      'max-lines': ['error', { max: 500 }],
    },
  },
  {
    // Views do not import each other: what two pages share lives in ui/ (or dom.js, format.js).
    files: ['web/js/views/**/*.js'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['./*', '../views/*'], message: 'Views do not import each other; move shared code to web/js/ui/.' }],
      }],
    },
  },
]);
