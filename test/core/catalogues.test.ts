/** The catalogues translators edit (locales/<language>.json), held to English's: the same keys, the same ICU
 * arguments, select branches and tags in every message, plural branches the language has, and messages that parse
 * and format through the bot's own Locales. German is written the Swiss way ("ss", never "ß"). */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { type MessageFormatElement, parse, TYPE } from '@formatjs/icu-messageformat-parser';
import { describe, expect, it } from 'vitest';
import { LANGUAGES, type Language, Locales, type MessageKey } from '../../src/core/i18n.js';

const DIR = path.resolve(import.meta.dirname, '../../locales');
const read = (file: string): Record<string, unknown> => JSON.parse(readFileSync(path.join(DIR, file), 'utf8'));
const catalogues = Object.fromEntries(LANGUAGES.map((l) => [l, read(`${l}.json`)])) as Record<
  Language,
  Record<string, unknown>
>;
const english = catalogues.en as Record<MessageKey, string>;
const KEYS = Object.keys(english) as MessageKey[];
const TRANSLATIONS = LANGUAGES.filter((l) => l !== 'en');

/** What a message asks of its values, and what a translation must keep: each argument with the kinds it is used
 * as (a number may be a plural), each select's and plural's branch keys, the tags (`<b>`). */
interface Shape {
  args: Map<string, Set<string>>;
  selects: Map<string, Set<string>>;
  plurals: Map<string, Set<string>>;
  tags: Set<string>;
}

const KIND: Partial<Record<TYPE, string>> = {
  [TYPE.argument]: 'text',
  [TYPE.number]: 'number',
  [TYPE.plural]: 'number',
  [TYPE.date]: 'date',
  [TYPE.time]: 'time',
  [TYPE.select]: 'select',
};

function shapeOf(message: string): Shape {
  const shape: Shape = { args: new Map(), selects: new Map(), plurals: new Map(), tags: new Set() };
  const add = (map: Map<string, Set<string>>, name: string, values: Iterable<string>) => {
    const set = map.get(name) ?? new Set<string>();
    for (const v of values) set.add(v);
    map.set(name, set);
  };
  const walk = (elements: MessageFormatElement[]) => {
    for (const el of elements) {
      const kind = KIND[el.type];
      if (kind && 'value' in el) add(shape.args, el.value, [kind]);
      if (el.type === TYPE.select || el.type === TYPE.plural) {
        add(el.type === TYPE.select ? shape.selects : shape.plurals, el.value, Object.keys(el.options));
        for (const option of Object.values(el.options)) walk(option.value);
      }
      if (el.type === TYPE.tag) {
        shape.tags.add(el.value);
        walk(el.children);
      }
    }
  };
  walk(parse(message));
  return shape;
}

const sorted = (map: Map<string, Set<string>>) =>
  Object.fromEntries([...map].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, [...v].sort()]));
const exact = (keys: Set<string>) => [...keys].filter((k) => k.startsWith('=')).sort();

/** Every way a catalogue's messages fall short of English's, as readable lines (empty: none). */
function problems(language: Language): string[] {
  const catalogue = catalogues[language];
  const categories = new Set<string>(new Intl.PluralRules(language).resolvedOptions().pluralCategories);
  const out: string[] = [];
  for (const key of Object.keys(catalogue)) if (!(key in english)) out.push(`${key}: not in en.json`);
  for (const key of KEYS) {
    const message = catalogue[key];
    if (typeof message !== 'string' || !message.trim()) {
      out.push(`${key}: ${message === undefined ? 'missing' : 'not a text'}`);
      continue;
    }
    let shape: Shape;
    try {
      shape = shapeOf(message);
    } catch (e) {
      out.push(`${key}: does not parse (${(e as Error).message})`);
      continue;
    }
    const en = shapeOf(english[key]);
    const same = (what: string, a: unknown, b: unknown) => {
      if (JSON.stringify(a) !== JSON.stringify(b))
        out.push(`${key}: ${what} ${JSON.stringify(a)}, English has ${JSON.stringify(b)}`);
    };
    same('arguments', sorted(shape.args), sorted(en.args));
    same('select branches', sorted(shape.selects), sorted(en.selects));
    same('tags', [...shape.tags].sort(), [...en.tags].sort());
    for (const [name, keys] of shape.plurals) {
      if (!keys.has('other')) out.push(`${key}: plural ${name} has no "other"`);
      same(`exact branches of ${name}`, exact(keys), exact(en.plurals.get(name) ?? new Set()));
      const unknown = [...keys].filter((k) => !k.startsWith('=') && !categories.has(k));
      if (unknown.length) out.push(`${key}: plural ${name} has ${unknown.join(', ')}, which ${language} does not use`);
      const forgotten = [...categories].filter((c) => !keys.has(c));
      if (language !== 'en' && forgotten.length) out.push(`${key}: plural ${name} lacks ${forgotten.join(', ')}`);
    }
    same('emoji codes', message.match(/:[a-z0-9_+-]+:/g) ?? [], english[key].match(/:[a-z0-9_+-]+:/g) ?? []);
    same('backticks', message.split('`').length, english[key].split('`').length);
    // A straight apostrophe quotes ICU syntax (`'{'`): the catalogues write ’.
    if (message.includes("'")) out.push(`${key}: straight apostrophe (write ’)`);
    if (language === 'de' && message.includes('ß')) out.push(`${key}: "ß" (Swiss German writes "ss")`);
  }
  return out;
}

/** Values of the right kind for every argument English's message has; `round` walks through the branches. */
function valuesFor(key: MessageKey, round: number): Record<string, string | number | Date> {
  const shape = shapeOf(english[key]);
  const numbers = [1, 3, 0, 1_000_000];
  const values: Record<string, string | number | Date> = {};
  for (const [name, kinds] of shape.args) {
    const branches = [...(shape.selects.get(name) ?? [])];
    if (branches.length) values[name] = branches[round % branches.length]!;
    else if (kinds.has('number')) values[name] = numbers[round % numbers.length]!;
    else if (kinds.has('date') || kinds.has('time')) values[name] = new Date('2026-12-12T16:00:00Z');
    else values[name] = `“${name}”`;
  }
  return values;
}

describe('message catalogues', () => {
  it('has a catalogue for every language, and no catalogue the bot does not load', () => {
    const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));
    expect(files.sort()).toEqual(LANGUAGES.map((l) => `${l}.json`).sort());
  });

  it.each(LANGUAGES)('%s: every message parses and keeps English’s keys, arguments, branches and tags', (language) => {
    expect(problems(language)).toEqual([]);
  });

  it.each(LANGUAGES)('%s: every message formats with plausible values, leaving no placeholder behind', (language) => {
    const words = new Locales(language, 'Europe/Zurich').for(language);
    const broken = new Set<string>();
    for (const key of KEYS) {
      for (let round = 0; round < 4; round++) {
        const values = valuesFor(key, round);
        let text: string;
        try {
          text = words.t(key, values);
        } catch (e) {
          broken.add(`${key}: ${(e as Error).message}`);
          continue;
        }
        if (/[{}]|<\/?b>/.test(text) || !text.trim()) broken.add(`${key}: ${text}`);
      }
    }
    expect([...broken]).toEqual([]);
  });

  it('formats a translated message in its own words, not English’s', () => {
    for (const language of TRANSLATIONS) {
      const words = new Locales('en', 'Europe/Zurich').for(`${language}-CH`);
      expect(words.t('button.approve')).toBe(catalogues[language]['button.approve']);
      expect(words.t('expiry.days', { days: 3 })).not.toBe(new Locales('en', 'UTC').org.t('expiry.days', { days: 3 }));
    }
  });
});
