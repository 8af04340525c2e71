/** The bulk page's CSV, read without I/O: one invitee a row (address, name, role, channels, language), a header row
 * optional and recognised in any of our languages (then the columns may come in any order). Parsed by csv-parse,
 * each row checked by zod with the forms' limits. Cells are only ever text: `=cmd|…` is a name like any other, never
 * evaluated here nor anywhere (the bot exports no spreadsheet). */
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { CATALOGUES, LANGUAGES, type Language } from './i18n.js';
import { normalizeEmail, ROLES, type Role } from './model.js';
import { MAX_RECIPIENTS } from './recipients.js';
import { freeText, LIMITS } from './userInput.js';

export const BULK_MAX_ROWS = MAX_RECIPIENTS;
/** About 200 characters a row, for a thousand rows and a header: the page's body limit is set above it. */
export const BULK_CSV_MAX = BULK_MAX_ROWS * 200;
const MAX_EMAIL_LENGTH = 254;
const MAX_CHANNELS_CELL = LIMITS.channels * (LIMITS.choice + 1);

/** The limits the texts tell. */
export const BULK_LIMITS = { rows: BULK_MAX_ROWS, characters: BULK_CSV_MAX, channels: LIMITS.channels } as const;

export const BULK_COLUMNS = ['email', 'name', 'role', 'channels', 'language'] as const;
export type BulkColumn = (typeof BULK_COLUMNS)[number];

/** Header names, lower case, in our five languages. */
const HEADER_NAMES: Record<BulkColumn, readonly string[]> = {
  email: [
    'address',
    'email',
    'e-mail',
    'mail',
    'adresse',
    'courriel',
    'e-mail-adresse',
    'indirizzo',
    'dirección',
    'direccion',
    'correo',
  ],
  name: ['name', 'nom', 'nome', 'nombre'],
  role: ['role', 'rôle', 'rolle', 'ruolo', 'rol'],
  channels: ['channels', 'channel', 'canaux', 'canal', 'kanäle', 'kanaele', 'kanal', 'canali', 'canale', 'canales'],
  language: ['language', 'langue', 'sprache', 'lingua', 'idioma'],
};

/** One row as typed, checked for type and length only: what it asks is judged by the bulk flow. */
export interface BulkRow {
  /** The row's line in the pasted text (1: the first line), for the dry run's table. */
  line: number;
  email: string;
  name: string;
  /** Empty: the page's default. */
  role: string;
  /** Channel names or ids, as typed; empty: the page's default. */
  channels: string[];
  language: string;
  /** Why the row cannot be read, if it cannot. */
  problem?: 'address' | 'tooLong' | 'tooManyChannels';
}

export type BulkCsv =
  | { ok: true; rows: BulkRow[]; header: boolean }
  | { ok: false; problem: 'empty' | 'tooLarge' | 'tooManyRows' | 'control' | 'malformed'; line?: number };

/** Control characters other than tab and line breaks (NUL included): refused, with the line they are on. */
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

const email = z
  .string()
  .transform(normalizeEmail)
  .refine((e) => e.length <= MAX_EMAIL_LENGTH && z.email().safeParse(e).success, { error: 'address' });
const Row = z.object({
  email,
  name: freeText(LIMITS.name),
  role: freeText(LIMITS.choice),
  channels: freeText(MAX_CHANNELS_CELL)
    .transform((s) => [
      ...new Set(
        s
          .split(/[;|]/)
          .map((c) => c.trim().replace(/^[#~]/, ''))
          .filter(Boolean),
      ),
    ])
    .refine((a) => a.length <= LIMITS.channels, { error: 'tooManyChannels' }),
  language: freeText(LIMITS.choice),
});

export function parseBulkCsv(text: string): BulkCsv {
  if (text.length > BULK_CSV_MAX) return { ok: false, problem: 'tooLarge' };
  const lines = text.split(/\r\n|\r|\n/);
  const control = lines.findIndex((l) => CONTROL.test(l));
  if (control >= 0) return { ok: false, problem: 'control', line: control + 1 };
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, {
      bom: true,
      delimiter: [',', '\t'],
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_empty_values: true,
      info: true,
      // One more than allowed, to tell "too many" from "just enough" without reading a huge paste to the end.
      to: BULK_MAX_ROWS + 2,
      max_record_size: 4 * MAX_CHANNELS_CELL,
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (err) {
    const line = (err as { lines?: number }).lines;
    return { ok: false, problem: 'malformed', line: typeof line === 'number' ? line : undefined };
  }
  const columns = headerOf(records[0]?.record ?? []);
  const header = columns !== undefined;
  const data = header ? records.slice(1) : records;
  if (!data.length) return { ok: false, problem: 'empty' };
  if (data.length > BULK_MAX_ROWS) return { ok: false, problem: 'tooManyRows' };
  const order = columns ?? [...BULK_COLUMNS];
  const rows = data.map(({ record, info }) => readRow(record, order, info.lines));
  return { ok: true, rows, header };
}

/** The columns a header row names, in its order (undefined where a cell is not a column), or undefined when the
 * first row is not a header: it names the address column, and holds no address. */
function headerOf(cells: string[]): (BulkColumn | undefined)[] | undefined {
  const names = cells.map((c) => c.trim().toLowerCase());
  if (names.some((n) => n.includes('@'))) return undefined;
  const columns = names.map((n) => BULK_COLUMNS.find((col) => HEADER_NAMES[col].includes(n)));
  return columns.includes('email') ? columns : undefined;
}

function readRow(cells: string[], order: readonly (BulkColumn | undefined)[], line: number): BulkRow {
  const raw: Record<string, string> = {};
  order.forEach((col, i) => {
    if (col && raw[col] === undefined) raw[col] = cells[i] ?? '';
  });
  const parsed = Row.safeParse(raw);
  if (parsed.success) return { line, ...parsed.data };
  const codes = parsed.error.issues.map((i) => i.message);
  const problem = codes.includes('address')
    ? 'address'
    : codes.includes('tooManyChannels')
      ? 'tooManyChannels'
      : 'tooLong';
  return {
    line,
    email: (raw.email ?? '').trim().slice(0, MAX_EMAIL_LENGTH),
    name: '',
    role: '',
    channels: [],
    language: '',
    problem,
  };
}

/** A role as a CSV cell may say it: its value (`external`, any case) or its label in one of our languages. */
export function bulkRole(cell: string): Role | undefined {
  const typed = cell.trim().toLowerCase();
  if (!typed) return undefined;
  return ROLES.find(
    (role) =>
      role === typed.replace(/[\s-]+/g, '_') ||
      LANGUAGES.some((l) => CATALOGUES[l][`role.${role}`].toLowerCase() === typed),
  );
}

/** A language as a cell may say it: `fr`, `FR`, `fr-CH`. */
export function bulkLanguage(cell: string): Language | undefined {
  const typed = cell.trim().toLowerCase();
  return LANGUAGES.find((l) => typed === l || typed.startsWith(`${l}-`) || typed.startsWith(`${l}_`));
}
