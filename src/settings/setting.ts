/**
 * One setting, declared once: its name (the key of its table), what it means, its default and how that default reads,
 * and the parser that turns the variable's text into a value or says, in words, what is wrong with it. The tables of
 * src/settings/ are the only place a setting is written; config.ts, the emulator, `--help`, `.env.example` and the
 * docs' configuration table all read them.
 */

import { formatBytes } from "../lib/byte-size.js";

export type Env = Record<string, string | undefined>;

/** What a parser answers for a bad value: every problem, each naming the variable (and never echoing a secret). */
export class Invalid {
  readonly problems: string[];
  constructor(...problems: string[]) {
    this.problems = problems;
  }
}

/** The value, or Invalid; `raw` is trimmed and never empty (an empty variable counts as unset). */
export type Parse<T> = (raw: string, name: string) => T | Invalid;

export interface Setting<T> {
  meaning: string;
  /** The value when the variable is unset; without one the reader answers null and the code decides. */
  default?: T;
  /** Words after the default value in docs ("(ephemeral)", "(32 MiB)"). */
  gloss?: string;
  /** Without a default value: what happens when unset, in words ("unset (tracing off)"); "unset" when omitted. */
  defaultText?: string;
  /** `.env.example` shows this value on a commented line (instead of the default, set). */
  example?: string;
  parse: Parse<T>;
}

/** A concern's settings: its title and a few lines about them (for `.env.example`), and its table, keyed by name. */
export interface SettingsGroup<Table extends SettingsTable = SettingsTable> {
  title: string;
  about: string[];
  settings: Table;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a table holds settings of every value type
export type SettingsTable = Record<string, Setting<any>>;

/** The value a read gives: the parser's type, or null as well when the setting has no default. */
export type ValueOf<S> = S extends { parse: Parse<infer T> } ? (S extends { default: unknown } ? T : T | null) : never;

/** Each setting's default must be of its parser's type (a default of "4000" for an integer does not compile). */
type DefaultsMatchParsers<Table> = {
  [Name in keyof Table]: Table[Name] extends { parse: Parse<infer T> } ? Table[Name] & { default?: T } : never;
};

/** Declares a concern's table; the names are its keys, so each name is written once. */
export function defineSettings<const Table extends SettingsTable>(
  group: SettingsGroup<Table> & { settings: DefaultsMatchParsers<Table> },
): SettingsGroup<Table> {
  return group;
}

/** A setting's default as `--help` prints it: "4000", "0 (ephemeral)", "unset (tracing off)". */
export function describeDefault(setting: Setting<unknown>): string {
  if (setting.default === undefined) return setting.defaultText ?? "unset";
  return [formatValue(setting.default), setting.gloss].filter(Boolean).join(" ");
}

/** A size's default and its gloss in words, written from the one number: `33554432` "(32 MiB)". */
export function bytesDefault(bytes: number): { default: number; gloss: string } {
  return { default: bytes, gloss: `(${formatBytes(bytes)})` };
}

/** A default as an environment variable would spell it. */
export function formatValue(value: unknown): string {
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean" ? String(value) : JSON.stringify(value);
}

/**
 * Reads settings by name from the tables it is given. A bad value adds its problems to `problems` and reads as the
 * default (the caller throws once all are gathered); a name no table declares throws at once: a typo must not read
 * `undefined` in silence.
 */
export class SettingsReader<Table extends SettingsTable> {
  constructor(
    private readonly table: Table,
    private readonly env: Env,
    readonly problems: string[] = [],
  ) {}

  /** The variable's text, trimmed; null when unset or blank. For checks that need to know it was given at all. */
  raw(name: keyof Table & string): string | null {
    this.declared(name);
    const value = this.env[name]?.trim();
    return value ? value : null;
  }

  isSet(name: keyof Table & string): boolean {
    return this.raw(name) !== null;
  }

  read<Name extends keyof Table & string>(name: Name): ValueOf<Table[Name]> {
    const setting = this.declared(name);
    const raw = this.raw(name);
    if (raw === null) return (setting.default ?? null) as ValueOf<Table[Name]>;
    const value = setting.parse(raw, name);
    if (value instanceof Invalid) {
      this.problems.push(...value.problems);
      return (setting.default ?? null) as ValueOf<Table[Name]>;
    }
    return value as ValueOf<Table[Name]>;
  }

  private declared(name: string): Setting<unknown> {
    if (!Object.hasOwn(this.table, name)) throw new Error(`Unknown setting ${name}: declare it in a table of src/settings/`);
    return this.table[name];
  }
}
