// Lint, including the layering rules of docs/architecture.md ("Layering, enforced"), enforced here rather than
// remembered: shared imports only shared; renderer never imports main, electron or node:*; the
// preload imports only shared and electron; main/core and main/store never import electron or
// main/app; nothing in main imports renderer; feature folders do not import each other.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['node:*', 'fs', 'path', 'os', 'child_process', 'crypto', 'http', 'https', 'net', 'url', 'util', 'stream'];
const restrict = (patterns) => ['error', { patterns }];

const FEATURES = ['connections', 'activity', 'overview', 'purge', 'schedules', 'profiles', 'diagnose', 'retention'];

export default tseslint.config(
  { ignores: ['dist/**', 'release/**', 'node_modules/**', '.cache/**', 'test-results/**', 'bin/**', 'scripts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': 'off',
    },
  },
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict([
        { group: ['**/main/**', '**/renderer/**', 'electron', ...nodeBuiltins], message: 'shared/ imports only shared/ and pure libraries.' },
      ]),
    },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    ignores: ['renderer/vite.config.mts'],
    rules: {
      'no-restricted-imports': restrict([
        { group: ['**/main/**', 'electron', ...nodeBuiltins], message: 'The renderer talks to main only through renderer/api.' },
      ]),
    },
  },
  ...FEATURES.map((f) => ({
    files: [`renderer/features/${f}/**/*.{ts,tsx}`],
    rules: {
      'no-restricted-imports': restrict([
        { group: ['**/main/**', 'electron', ...nodeBuiltins], message: 'The renderer talks to main only through renderer/api.' },
        {
          // Both spellings: from a sibling feature ("../profiles/x") and through the tree ("…/features/profiles/x").
          group: FEATURES.filter((o) => o !== f).flatMap((o) => [`**/features/${o}/**`, `../${o}/**`, `../${o}`]),
          message: 'Feature folders do not import each other; share through components/ or shared/.',
        },
      ]),
    },
  })),
  {
    files: ['renderer/components/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': restrict([
        { group: ['**/main/**', 'electron', ...nodeBuiltins, '**/api/**', '**/features/**'], message: 'components/ are presentational: no API calls, no feature imports.' },
      ]),
    },
  },
  {
    files: ['main/preload/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict([
        { group: ['**/core/**', '**/store/**', '**/app/**', '**/transport/**', '**/renderer/**', 'zod', ...nodeBuiltins], message: 'The preload imports only shared/channels and electron.' },
      ]),
    },
  },
  {
    files: ['main/core/**/*.ts', 'main/store/**/*.ts', 'main/cli/**/*.ts', 'main/handlers/**/*.ts', 'main/context.ts'],
    rules: {
      'no-restricted-imports': restrict([
        { group: ['electron', '**/app/**', '**/renderer/**', '**/preload/**'], message: 'main/core, store, cli and handlers never import electron or main/app.' },
      ]),
    },
  },
  {
    files: ['main/transport/http.ts', 'main/transport/dispatch.ts', 'main/transport/web-guard.ts'],
    rules: {
      'no-restricted-imports': restrict([{ group: ['electron', '**/app/**', '**/renderer/**'], message: 'Only ipc.ts may import electron.' }]),
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
