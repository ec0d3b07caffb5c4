// The hostile values the fuzz puts anywhere a value goes: wrong types, boundary and huge numbers,
// NaN-like and empty strings, huge, astral, combining, control and NUL characters, lone surrogates
// (in JSON escapes), deep nesting and JSON no JavaScript value can produce (written as raw text).
import fc from 'fast-check';

/** JSON text put verbatim into a body: `1e999`, a lone `\udc00` escape, 5,000 nested arrays. */
export class Raw {
  constructor(
    readonly text: string,
    readonly label: string,
  ) {}
  toJSON(): string {
    return `<raw ${this.label}>`;
  }
}

export type Value = null | boolean | number | string | Raw | Value[] | { [key: string]: Value };

const MAX_REPORTED_STRING = 120;

/** JSON text of a value, Raw nodes verbatim; a key may hold anything, as JSON.stringify escapes it. */
export function toJson(value: Value): string {
  if (value instanceof Raw) return value.text;
  if (Array.isArray(value)) return `[${value.map(toJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}:${toJson(v)}`)
      .join(',')}}`;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return 'null';
  return JSON.stringify(value);
}

/** A short, printable description of a value for failure reports: long strings cut, Raw named. */
export function describeValue(value: unknown): unknown {
  if (value instanceof Raw) return `<raw ${value.label}, ${value.text.length} chars>`;
  if (typeof value === 'string') return value.length > MAX_REPORTED_STRING ? `${value.slice(0, MAX_REPORTED_STRING)}… (${value.length} chars)` : value;
  if (Array.isArray(value)) return value.length > 20 ? [...value.slice(0, 20).map(describeValue), `… (${value.length} items)`] : value.map(describeValue);
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    return Object.fromEntries([...entries.slice(0, 30).map(([k, v]) => [describeValue(k) as string, describeValue(v)]), ...(entries.length > 30 ? [['…', `${entries.length} keys`]] : [])]);
  }
  return value;
}

/** Every string of at least `min` characters inside a value (keys too), Raw text included. */
export function longStrings(value: unknown, min: number, found: string[] = []): string[] {
  if (value instanceof Raw) {
    if (value.text.length >= min) found.push(value.text);
  } else if (typeof value === 'string') {
    if (value.length >= min) found.push(value);
  } else if (Array.isArray(value)) {
    for (const item of value) longStrings(item, min, found);
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k.length >= min) found.push(k);
      longStrings(v, min, found);
    }
  }
  return found;
}

// A huge string is a pattern that never occurs by chance, so an echo of any 512 of its characters is found.
const hugeString = (unit: string, length: number) => {
  let text = '';
  for (let i = 0; text.length < length; i += 1) text += `${unit}${i.toString(36)}|`;
  return text.slice(0, length);
};

export const HUGE_LENGTHS = [1_000, 5_000, 70_000, 300_000];

const CONTROL = Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).concat(['\u007f', '\u0085', '\u2028', '\u2029']);

const nastyStringList: string[] = [
  '',
  ' ',
  '   \t\n',
  'NaN',
  'Infinity',
  '-Infinity',
  'undefined',
  'null',
  'true',
  '0',
  '-0',
  '1e309',
  '0x1F',
  '١٢٣',
  '１２３',
  '9'.repeat(40),
  '__proto__',
  'constructor',
  'toString',
  "' OR '1'='1' --",
  '"; drop table users; --',
  '\\',
  '\\u0000',
  '%00',
  '%s%n%x',
  '${7*7}{{7*7}}',
  '<script>alert(1)</script>',
  '=HYPERLINK("https://evil.example")',
  '../../../../etc/passwd',
  'C:\\Windows\\system32',
  'https://',
  'javascript:alert(1)',
  'http://[::1',
  'mailto:a@b',
  'a@b',
  '@',
  'ünïcödé@exämple.org',
  '2026-02-30',
  '2026-02-29T25:61:61Z',
  '0000-01-01T00:00:00Z',
  '9999-12-31T23:59:59.999Z',
  '+275760-09-13T00:00:00.000Z',
  '-271821-04-20T00:00:00.000Z',
  '1970-01-01T00:00:00+14:00',
  '2026-11-26',
  'Z',
  '\u0000',
  'before\u0000after',
  '\ufeffbom',
  '\u202etxt.exe',
  '\u200b\u200c\u200d',
  'e\u0301\u0302\u0303\u0304\u0305\u0306\u0307\u0308\u0309\u030a',
  'Z̴̡̛̖̳̲̞̖̙̤̦̓̀̔̈́͌̈́̎̏̆̈́͝ä̵̢̨̛̦̙̮̩̝͚͍͓̿͋͛̽̓͊̈́̅̚͝͠l̸̛̗̗̮̻͉̜͉̼̇̎͌̈́̏̌̀̑̈́͘͠g̷͕̙̖̈́o̸̡̧̨̫̖̹͖̲̳̪͆͌̓̊̈́̋͝',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 😀👩‍👩‍👧‍👦🏳️‍🌈',
  '\ud800',
  '\udfff',
  'a\ud83dz',
  'ᚠᛇᚻ᛫ᛒᛦᚦ',
  'שלום עולם',
  '表ポあA鷗ŒéＢ逍Üßªąñ丂㐀𠀀',
  CONTROL.join(''),
  'line\r\nInjected-Header: yes',
];

/** Hostile strings, each shrinking towards the empty string. */
export function nastyString(): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...nastyStringList) },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...HUGE_LENGTHS), fc.constantFrom('A', 'é', '😀', 'e\u0301', '\u0001', '"\\')).map(([n, unit]) => hugeString(unit, n)) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
    { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom(...CONTROL), maxLength: 20 }) },
    { weight: 1, arbitrary: fc.string({ unit: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 5 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) },
  );
}

export const NASTY_NUMBERS = [0, -0, 1, -1, 0.5, -0.5, 1.5, 2 ** 31 - 1, 2 ** 31, -(2 ** 31), 2 ** 32, 2 ** 53 - 1, 2 ** 53 + 2, -(2 ** 53), 1e21, 1e308, -1e308, 5e-324, Number.EPSILON, 101, 1000, 1e9, 123.456e7];

const deep = (depth: number, open: string, close: string) => new Raw(`${open.repeat(depth)}${close.repeat(depth)}`, `nesting ${depth} deep`);
const deepObject = (depth: number) => new Raw(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`, `object nesting ${depth} deep`);

/** JSON that no JavaScript value stringifies to, and deep or wide structures built cheaply as text. */
export const RAW_VALUES: Raw[] = [
  new Raw('1e999', 'number too big for a double'),
  new Raw('-1e999', 'negative number too big for a double'),
  new Raw('123456789012345678901234567890123456789', 'integer past 2^53'),
  new Raw('0.000000000000000000000000000000000000000000001e-400', 'underflowing number'),
  new Raw('-0.0', 'negative zero'),
  new Raw('1E+2', 'exponent in capitals'),
  new Raw('"\\ud800"', 'lone high surrogate escape'),
  new Raw('"\\udc00x\\ud83d"', 'lone surrogates escaped'),
  new Raw('"\\u0000"', 'NUL escape'),
  new Raw('"a\\u0000b"', 'NUL escape inside'),
  new Raw('{"a":1,"a":2}', 'duplicate key'),
  new Raw('{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}}}', 'prototype keys'),
  deep(64, '[', ']'),
  deep(1_000, '[', ']'),
  deep(20_000, '[', ']'),
  deepObject(500),
  deepObject(10_000),
  new Raw(`[${Array.from({ length: 20_000 }, (_, i) => i).join(',')}]`, '20,000 numbers'),
  new Raw(`{${Array.from({ length: 5_000 }, (_, i) => `"k${i}":${i}`).join(',')}}`, '5,000 keys'),
  new Raw(`[${Array.from({ length: 3_000 }, () => '"x"').join(',')}]`, '3,000 strings'),
];

/** Any hostile value: a string, number, boolean, null, structure or raw JSON. */
export function nastyValue(): fc.Arbitrary<Value> {
  return fc.oneof(
    { weight: 5, arbitrary: nastyString() as fc.Arbitrary<Value> },
    { weight: 3, arbitrary: fc.constantFrom<Value>(...NASTY_NUMBERS) },
    { weight: 1, arbitrary: fc.double() as fc.Arbitrary<Value> },
    { weight: 1, arbitrary: fc.integer() as fc.Arbitrary<Value> },
    { weight: 2, arbitrary: fc.constantFrom<Value>(null, true, false, [], {}, [null], { '': null }, [[]], '[]', '{}') },
    { weight: 3, arbitrary: fc.constantFrom<Value>(...RAW_VALUES) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Value> },
  );
}

/** Object keys worth trying where a schema names its own. */
export function nastyKey(): fc.Arbitrary<string> {
  return fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', '', ' ', 'a\u0000b', '\ud800', '$where', 'x'.repeat(5_000), 'extra', 'id', 'organisationId'), nastyString());
}
