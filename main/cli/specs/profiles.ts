import { EXPORT_FORMATS } from '../../../shared/domain/profiles';
import type { CommandGroup } from '../spec';
import { usageError } from '../spec';
import * as V from '../validators';
import { targetSpec } from './common';

const ref = V.text('the name (or id) of a saved profile, as in `housekeeper profiles list`', 'production', 100);
const NAME = { name: 'NAME', validator: ref };
const rev = V.int(1, 1_000_000, '3');
const format = V.oneOf(EXPORT_FORMATS);
const table = V.text('a profile (table) name in the file', 'production', 200);
const service = V.text('a service name', 'prefect-server', 200);

export const profilesSpec: CommandGroup = {
  command: 'profiles',
  subs: {
    '': { options: ['all'] },
    list: { options: ['all'] },
    show: { options: ['rev'], positionals: [NAME], values: { rev } },
    create: {
      options: ['name', 'from', 'set'],
      positionals: [{ name: 'NAME', validator: V.profileName, optional: true }],
      values: { name: V.profileName, from: ref, set: V.settingKeyValue },
      check: (f, p) => {
        if (p[0] === undefined && !f.name) throw usageError('NAME', V.profileName.expected, 'housekeeper profiles create production', 'missing');
        if (p[0] !== undefined && f.name) throw usageError('--name', 'the name once (NAME or --name NAME)', 'housekeeper profiles create production', 'given twice');
      },
    },
    edit: {
      options: ['set', 'unset', 'preset', 'fix-names', 'message', 'yes'],
      positionals: [NAME],
      values: { set: V.settingKeyValue, unset: V.settingName, preset: V.presetId, message: V.message },
    },
    rename: {
      options: ['name'],
      positionals: [NAME, { name: 'NEW_NAME', validator: V.profileName, optional: true }],
      values: { name: V.profileName },
      check: (f, p) => {
        if (p[1] === undefined && !f.name) throw usageError('NEW_NAME', V.profileName.expected, 'housekeeper profiles rename staging production', 'missing');
      },
    },
    delete: { options: ['yes'], positionals: [NAME] },
    undelete: { options: [], positionals: [{ name: 'ID', validator: V.id }] },
    history: { options: [], positionals: [NAME] },
    diff: {
      options: [],
      positionals: [NAME, { name: 'REV_OR_OTHER', validator: ref, optional: true }, { name: 'REV', validator: rev, optional: true }],
      check: (_f, p) => {
        if (p[2] !== undefined && !/^\d+$/.test(p[1] ?? '')) throw usageError('REV', 'a second revision only after a first one', 'housekeeper profiles diff production 2 3', 'after a profile name');
      },
    },
    restore: {
      options: ['rev'],
      positionals: [NAME, { name: 'REV', validator: rev, optional: true }],
      values: { rev },
      check: (f, p) => {
        if (p[1] === undefined && f.rev === undefined) throw usageError('REV', rev.expected, 'housekeeper profiles restore production 3', 'missing');
      },
    },
    presets: { options: [] },
    import: {
      options: ['file', 'format', 'profile', 'all', 'name', 'service', 'replace'],
      positionals: [{ name: 'FILE', validator: V.inputFile('profiles.toml'), optional: true }],
      values: { file: V.inputFile('profiles.toml'), format, profile: table, name: V.profileName, service },
      check: (f, p) => {
        if (p[0] === undefined && !f.file) throw usageError('FILE', 'the file to import', 'housekeeper profiles import ~/.prefect/profiles.toml', 'missing');
        if (p[0] !== undefined && f.file) throw usageError('--file', 'the file once (FILE or --file FILE)', 'housekeeper profiles import profiles.toml', 'given twice');
      },
    },
    export: {
      options: ['format', 'file', 'include-secrets', 'profile', 'service', 'namespace', 'force', 'yes', 'rev'],
      positionals: [NAME],
      values: { format, file: V.outputFile('prefect.env'), profile: table, service, namespace: V.text('a Kubernetes namespace', 'prefect', 253), rev },
    },
    drift: targetSpec({ options: ['all', 'rev'], positionals: [NAME], values: { rev } }),
  },
};
