/**
 * The CLI's one contract for bad input (issue #12, item 9). Every command declares, in one spec
 * (main/cli/specs/<command>.ts), the options it takes, its positional arguments and how each value is
 * checked; `parseCommandLine` checks all of them before the command runs, so a typo never costs a
 * network round trip or a disk write, and always gets the same answer: exit 2 and one line that names
 * the argument, what was expected and an example.
 */
import { parseArgs } from 'node:util';
import { AppError } from '../../shared/errors';
import { quoteForMessage } from '../../shared/domain/safe-text';
import { didYouMean } from '../../shared/text/did-you-mean';
import { OPTIONS, type Flags, type OptionName } from './args';
import type { Validator } from './validators';

export interface PositionalSpec {
  /** As shown in messages: NAME, PLAN_ID, FILE. */
  name: string;
  validator: Validator;
  optional?: boolean;
}

export interface CommandSpec {
  /** Options this command takes besides --help and --json. */
  options: readonly OptionName[];
  positionals?: readonly PositionalSpec[];
  /** How each option's value is checked (options without an entry take any text without control characters). */
  values?: Partial<Record<OptionName, Validator>>;
  /** Rules across arguments (pure: no I/O). Throw `usageError`. */
  check?: (flags: Flags, positionals: readonly string[]) => void;
}

export interface CommandGroup {
  /** The first word: connections, purge, ... */
  command: string;
  /** Sub-commands by their word; '' is the command without one (purge, inspect, connections = list). */
  subs: Record<string, CommandSpec>;
}

export interface ParsedCommandLine {
  command: string;
  /** The sub-command word as typed (undefined when none). */
  sub: string | undefined;
  /** Positional arguments after the sub-command. */
  rest: string[];
  flags: Flags;
}

const ALWAYS: readonly OptionName[] = ['help', 'json'];

/** "ARGUMENT: why. Expected WHAT, e.g. EXAMPLE." on one line (details carry the parts for --json). */
export function usageError(argument: string, expected: string, example: string, detail?: string): AppError {
  const why = detail ? ` ${detail.trim().replace(/[.;:]+$/, '')}.` : '';
  const message = `${argument}:${why} ${why ? 'Expected' : 'expected'} ${expected}, e.g. ${example}.`;
  return new AppError('VALIDATION', message, { details: { argument, expected, example } });
}

/** "Did you mean ...?" for short inputs only (a 100,000-character typo gets no suggestion, fast). */
function suggest(input: string, candidates: readonly string[]): string {
  return input.length <= 60 ? didYouMean(input, candidates) : '';
}

/** One line per refusal: the argument and value, why, what was expected, an example. */
function refuse(argument: string, value: string, validator: Validator, why: string, exampleArg: string): AppError {
  return usageError(`${argument} ${quoteForMessage(value)}`, validator.expected, exampleArg, why || undefined);
}

function optionLabel(name: OptionName): string {
  return `--${name}`;
}

function commandLabel(group: CommandGroup, sub: string): string {
  return sub ? `${group.command} ${sub}` : group.command;
}

/** Tokens of argv: options (known or not, with or without a value) and positionals. */
function tokenize(argv: string[]): { options: Array<{ name: string; raw: string; value: string | undefined; inline: boolean }>; positionals: string[] } {
  const { tokens } = parseArgs({ args: argv, options: OPTIONS, strict: false, allowPositionals: true, tokens: true });
  const options: Array<{ name: string; raw: string; value: string | undefined; inline: boolean }> = [];
  const positionals: string[] = [];
  for (const t of tokens ?? []) {
    if (t.kind === 'option') options.push({ name: t.name, raw: t.rawName, value: t.value, inline: t.inlineValue === true });
    else if (t.kind === 'positional') positionals.push(t.value);
  }
  return { options, positionals };
}

export function parseCommandLine(argv: string[], groups: readonly CommandGroup[]): ParsedCommandLine | { help: true } | { version: true } {
  const { options, positionals } = tokenize(argv);
  const known = new Set(Object.keys(OPTIONS));
  const flags: Record<string, unknown> = {};

  // 1. Every option is known, has a value when it needs one and none when it does not.
  for (const o of options) {
    if (!known.has(o.name)) {
      const label = o.raw.length > 60 ? `${o.raw.slice(0, 60)}…` : o.raw;
      throw new AppError('VALIDATION', `Unknown option ${quoteForMessage(label)}.${suggest(o.name, [...known]).replace(/"(?=[a-z])/g, '"--')} Run \`housekeeper --help\` for the options.`, {
        details: { argument: o.raw },
      });
    }
    const def = OPTIONS[o.name as OptionName];
    const name = o.name as OptionName;
    if (def.type === 'boolean') {
      if (o.value !== undefined) throw usageError(`${o.raw}=${quoteForMessage(o.value)}`, 'no value (it is a switch)', `${o.raw}`);
      flags[name] = true;
      continue;
    }
    if (o.value === undefined || (!o.inline && o.value.startsWith('--'))) {
      throw usageError(o.raw, 'a value after it', `${o.raw} VALUE (or ${o.raw}=VALUE)`, 'the value is missing');
    }
    if ('multiple' in def && def.multiple) ((flags[name] ??= []) as string[]).push(o.value);
    else if (flags[name] !== undefined) throw usageError(o.raw, 'it once', `${o.raw} ${o.value}`, 'given twice');
    else flags[name] = o.value;
  }
  const f = flags as Flags;
  if (f.version) return { version: true };
  if (f.help || positionals[0] === 'help') return { help: true };

  // 2. The command and sub-command.
  const [cmd, ...after] = positionals;
  if (cmd === undefined) throw new AppError('VALIDATION', 'No command given. Run `housekeeper --help` for the commands.');
  const group = groups.find((g) => g.command === cmd);
  if (!group) {
    throw new AppError('VALIDATION', `Unknown command ${quoteForMessage(cmd)}.${suggest(cmd, groups.map((g) => g.command))} Run \`housekeeper --help\`.`);
  }
  let sub = '';
  let rest = after;
  if (after[0] !== undefined && after[0] !== '' && Object.prototype.hasOwnProperty.call(group.subs, after[0])) {
    sub = after[0];
    rest = after.slice(1);
  } else if (!group.subs['']) {
    const words = Object.keys(group.subs).filter(Boolean);
    const typed = after[0];
    throw new AppError(
      'VALIDATION',
      typed === undefined
        ? `"${cmd}" needs a sub-command: ${words.join(', ')}. Example: housekeeper ${cmd} ${words[0]}`
        : `Unknown sub-command ${quoteForMessage(typed)} of "${cmd}".${suggest(typed, words)} Use ${words.join(', ')}.`,
    );
  } else if (after[0] !== undefined && (group.subs['']!.positionals ?? []).length === 0) {
    const words = Object.keys(group.subs).filter(Boolean);
    throw new AppError(
      'VALIDATION',
      words.length
        ? `Unknown sub-command ${quoteForMessage(after[0])} of "${cmd}".${suggest(after[0], words)} Use ${words.join(', ')}.`
        : `Unexpected argument ${quoteForMessage(after[0])}: "housekeeper ${cmd}" takes no arguments.`,
    );
  }
  const spec = group.subs[sub]!;
  const label = commandLabel(group, sub);

  // 3. Only this command's options.
  const allowed = new Set<OptionName>([...ALWAYS, ...spec.options]);
  for (const o of options) {
    const name = o.name as OptionName;
    if (!allowed.has(name)) {
      const list = spec.options.map(optionLabel).join(', ');
      throw new AppError('VALIDATION', `${o.raw} does not apply to "housekeeper ${label}"; it takes ${list || 'no options'} (and --json).`, {
        details: { argument: o.raw },
      });
    }
  }

  // 4. Every value.
  for (const name of spec.options) {
    const given = f[name];
    if (given === undefined || typeof given === 'boolean') continue;
    const validator = spec.values?.[name];
    if (!validator) continue;
    for (const value of Array.isArray(given) ? given : [given]) {
      const why = validator.check(value);
      if (why !== null) throw refuse(optionLabel(name), value, validator, why, `${optionLabel(name)} ${validator.example}`);
    }
  }
  for (const name of spec.options) {
    // Text options without a validator still refuse control characters and absurd lengths.
    const given = f[name];
    if (given === undefined || typeof given === 'boolean' || spec.values?.[name]) continue;
    for (const value of Array.isArray(given) ? given : [given]) {
      if (value.length > 4096 || /[\u0000-\u001f\u007f-\u009f]/.test(value)) { // eslint-disable-line no-control-regex
        throw usageError(`${optionLabel(name)} ${quoteForMessage(value)}`, 'text without control characters (up to 4,096 characters)', `${optionLabel(name)} value`);
      }
    }
  }

  // 5. Positionals: none missing, none extra, each valid.
  const specs = spec.positionals ?? [];
  if (rest.length > specs.length) {
    const extra = rest[specs.length]!;
    throw new AppError(
      'VALIDATION',
      `Unexpected argument ${quoteForMessage(extra)}: "housekeeper ${label}" takes ${specs.length === 0 ? 'no arguments' : `at most ${specs.map((p) => p.name).join(' ')}`}.`,
      { details: { argument: extra } },
    );
  }
  specs.forEach((p, i) => {
    const value = rest[i];
    if (value === undefined) {
      if (!p.optional) throw usageError(p.name, p.validator.expected, `housekeeper ${label} ${p.validator.example}`, 'missing');
      return;
    }
    const why = p.validator.check(value);
    if (why !== null) throw refuse(p.name, value, p.validator, why, `housekeeper ${label} ${p.validator.example}`);
  });

  // 6. Rules across arguments.
  spec.check?.(f, rest);
  return { command: cmd, sub: sub || undefined, rest, flags: f };
}
