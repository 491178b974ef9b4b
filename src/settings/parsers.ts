/** Small parsers the tables share; each message names the variable and, unless it may be a secret, quotes the value. */
import { Invalid, type Parse } from "./setting.js";
import { isOneOf } from "../lib/one-of.js";

/** A whole number from min to max. */
export function integer(min: number, max: number): Parse<number> {
  return (raw, name) => {
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < min || value > max)
      return new Invalid(`${name} must be a whole number from ${min} to ${max}; got "${raw}"`);
    return value;
  };
}

/** A port number; 0 asks the system for a free one. */
export const port: Parse<number> = integer(0, 65535);

const TRUE_WORDS = ["true", "1", "yes", "on"];
const FALSE_WORDS = ["false", "0", "no", "off"];

/** true/false, also 1/0, yes/no, on/off; `strict`: true or false only (the OpenTelemetry specification's words). */
export function boolean(strict = false): Parse<boolean> {
  return (raw, name) => {
    const word = raw.toLowerCase();
    if (strict ? word === "true" : TRUE_WORDS.includes(word)) return true;
    if (strict ? word === "false" : FALSE_WORDS.includes(word)) return false;
    return new Invalid(`${name} must be true or false; got "${word}"`);
  };
}

/** One of the words given, in any case. */
export function oneOf<const Word extends string>(words: readonly Word[]): Parse<Word> {
  return (raw, name) => {
    const word = raw.toLowerCase();
    return isOneOf(words, word) ? word : new Invalid(`${name} must be one of ${words.join(", ")}; got "${word}"`);
  };
}

/** Any text, as given (trimmed). */
export const text: Parse<string> = (raw) => raw;

/** Text of at least `length` characters; the message never repeats it (a secret). */
export function secret(length: number): Parse<string> {
  return (raw, name) => (raw.length < length ? new Invalid(`${name} must be at least ${length} characters`) : raw);
}

/** A comma-separated list, entries trimmed, empty entries skipped, each kept once. */
export function list(): Parse<string[]> {
  return (raw) => [
    ...new Set(
      raw
        .split(",")
        .map((part) => part.trim())
        .filter(Boolean),
    ),
  ];
}

/** `host:port,host:port` (an IPv6 host in brackets: `[::1]:26379`); each bad entry is reported. */
export const hostPorts: Parse<Array<{ host: string; port: number }>> = (raw, name) => {
  const found: Array<{ host: string; port: number }> = [];
  const problems: string[] = [];
  for (const entry of raw.split(",").map((part) => part.trim())) {
    const match = /^(\[[0-9a-fA-F:.]+\]|[^\s:[\]/@]+):(\d{1,5})$/.exec(entry);
    const value = match ? Number(match[2]) : 0;
    if (!match || value < 1 || value > 65535) problems.push(`${name} must be comma-separated host:port (port 1-65535); got "${entry}"`);
    else found.push({ host: match[1].replace(/^\[(.*)\]$/, "$1"), port: value });
  }
  return problems.length > 0 ? new Invalid(...problems) : found;
};

/** `key=value,key2=value2`, keys and values percent-decoded (OpenTelemetry's format); never echoed (API keys). */
export const keyValuePairs: Parse<Record<string, string>> = (raw, name) => {
  const result: Record<string, string> = {};
  const malformed = new Invalid(`${name} must be key=value pairs separated by commas (values percent-encoded)`);
  for (const part of raw.split(",")) {
    if (part.trim() === "") continue;
    const equals = part.indexOf("=");
    if (equals <= 0) return malformed;
    const key = part.slice(0, equals).trim();
    if (key === "") return malformed;
    try {
      result[decodeURIComponent(key)] = decodeURIComponent(part.slice(equals + 1).trim());
    } catch {
      return malformed;
    }
  }
  return result;
};

/**
 * A URL whose scheme is one of `schemes` ("https:"...), each problem in the setting's own words: `schemeProblem`, and
 * `check` for more (a problem or null). `echo`: whether a message may quote the value (a URL may carry credentials);
 * when it may not, `example` shows the expected form.
 */
export function url(options: {
  schemes: string[];
  schemeProblem: string;
  echo: boolean;
  example?: string;
  check?: (url: URL) => string | null;
}): Parse<string> {
  return (raw, name) => {
    if (!URL.canParse(raw)) {
      return new Invalid(
        options.echo ? `${name} is not a URL; got "${raw}"` : `${name} is not a URL${options.example ? ` (${options.example})` : ""}`,
      );
    }
    const parsed = new URL(raw);
    const problems: string[] = [];
    if (!options.schemes.includes(parsed.protocol)) problems.push(`${name} ${options.schemeProblem}`);
    const problem = options.check?.(parsed);
    if (problem) problems.push(problem);
    return problems.length > 0 ? new Invalid(...problems) : raw;
  };
}
