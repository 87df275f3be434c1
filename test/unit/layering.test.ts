/**
 * The layering rules of docs/architecture.md ("Layering, enforced") live in eslint.config.mjs; this proves they
 * bite: each forbidden import, linted as if it were in the folder it must not appear in, is an error.
 */
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..', '..');
const eslint = new ESLint({ cwd: root });

async function errors(file: string, code: string): Promise<string[]> {
  const [r] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return (r?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layering (lint)', () => {
  it.each([
    ['shared/domain/x.ts', "import fs from 'node:fs';\nexport const a = fs;"],
    ['shared/domain/x.ts', "import { createStore } from '../../main/store';\nexport const a = createStore;"],
    ['renderer/components/x.tsx', "import { call } from '../api/client';\nexport const a = call;"],
    ['renderer/features/purge/x.ts', "import { ProfilesScreen } from '../profiles/ProfilesScreen';\nexport const a = ProfilesScreen;"],
    ['renderer/app/x.ts', "import { dispatch } from '../../main/transport/dispatch';\nexport const a = dispatch;"],
    ['renderer/app/x.ts', "import { ipcRenderer } from 'electron';\nexport const a = ipcRenderer;"],
    ['main/core/purge/x.ts', "import { app } from 'electron';\nexport const a = app;"],
    ['main/preload/x.ts', "import { z } from 'zod';\nexport const a = z;"],
  ])('%s may not: %s', async (file, code) => {
    expect((await errors(file, code)).length).toBeGreaterThan(0);
  });

  it('allows what the design allows', async () => {
    expect(await errors('renderer/features/purge/x.ts', "import { call } from '../../api/client';\nexport const a = call;")).toEqual([]);
    expect(await errors('main/app/x.ts', "import { app } from 'electron';\nexport const a = app;")).toEqual([]);
    expect(await errors('shared/domain/x.ts', "import { z } from 'zod';\nexport const a = z;")).toEqual([]);
  });
});
