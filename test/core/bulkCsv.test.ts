import { describe, expect, it } from 'vitest';
import { BULK_MAX_ROWS, bulkLanguage, bulkRole, parseBulkCsv } from '../../src/core/bulkCsv.js';

describe('the bulk CSV', () => {
  it('reads a header in any order and language, and rows without one by position', () => {
    const withHeader = parseBulkCsv('Nom;x,Courriel\nAna,ANA@Example.org\n');
    expect(withHeader).toMatchObject({ ok: true, header: true, rows: [{ email: 'ana@example.org', name: '' }] });
    const read = parseBulkCsv('Name,E-mail,Canaux\nAna,ANA@Example.org,town-square;#off-topic|abc\n');
    expect(read).toMatchObject({
      ok: true,
      header: true,
      rows: [{ line: 2, email: 'ana@example.org', name: 'Ana', channels: ['town-square', 'off-topic', 'abc'] }],
    });
    const plain = parseBulkCsv('bo@example.org,Bo,Admin,,fr-CH');
    expect(plain).toMatchObject({ ok: true, header: false, rows: [{ email: 'bo@example.org', role: 'Admin' }] });
  });

  it('keeps formula-looking cells as text and flags bad addresses per row', () => {
    const read = parseBulkCsv('"=cmd|\' /C calc\'!A0",x\nana@example.org,=1+1\n');
    expect(read).toMatchObject({
      ok: true,
      rows: [
        { line: 1, problem: 'address' },
        { line: 2, email: 'ana@example.org', name: '=1+1' },
      ],
    });
  });

  it('refuses control characters, broken quotes and more than a thousand rows', () => {
    expect(parseBulkCsv('a@example.org\nb@example.org\u0000')).toEqual({ ok: false, problem: 'control', line: 2 });
    expect(parseBulkCsv('a@example.org,"open\n')).toMatchObject({ ok: false, problem: 'malformed' });
    const rows = (n: number) => Array.from({ length: n }, (_, i) => `u${i}@example.org`).join('\n');
    expect(parseBulkCsv(rows(BULK_MAX_ROWS))).toMatchObject({ ok: true });
    expect(parseBulkCsv(rows(BULK_MAX_ROWS + 1))).toEqual({ ok: false, problem: 'tooManyRows' });
    expect(parseBulkCsv('\n\n')).toEqual({ ok: false, problem: 'empty' });
  });

  it('knows roles by value or localized label and languages by tag', () => {
    expect(bulkRole('EXTERNAL')).toBe('external');
    expect(bulkRole('Représentant légal')).toBe('legal_representative');
    expect(bulkRole('boss')).toBeUndefined();
    expect(bulkLanguage('DE-ch')).toBe('de');
    expect(bulkLanguage('xx')).toBeUndefined();
  });
});
