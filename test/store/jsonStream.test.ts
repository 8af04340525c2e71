/** The snapshot reader: what it hands over is what JSON.parse reads, however the file is cut into reads. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JsonStreamError, streamJsonObject } from '../../src/store/jsonStream.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'guestlist-jsonstream-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const tricky = {
  version: 2,
  note: 'a "quoted" ] } [ { \\ back\\slash\\\\',
  invitations: [
    { id: 'a', name: 'Zoë 日本 😀', nested: { list: [1, [2, { x: ']' }]], empty: {} }, n: -1.5e3 },
    { id: 'b\\"', flags: [true, false, null], s: '\\\\' },
    'a string element',
    42,
    null,
  ],
  drafts: [],
  rate: { k: [1, 2] },
};

async function read(text: string, readBytes: number) {
  const file = path.join(dir, `f${Math.random().toString(36).slice(2)}.json`);
  await writeFile(file, text);
  const seen: [string, unknown][] = [];
  const out = await streamJsonObject(
    file,
    new Set(['invitations', 'drafts', 'outbox']),
    (k, v) => seen.push([k, v]),
    readBytes,
  );
  return { out, seen };
}

describe('streamJsonObject', () => {
  for (const [label, text] of [
    ['compact', JSON.stringify(tricky)],
    ['pretty', JSON.stringify(tricky, null, 2)],
  ] as const) {
    it(`hands over each element and returns the other members (${label} JSON, every read size)`, async () => {
      for (const size of [1, 2, 3, 5, 7, 64, 1 << 20]) {
        const { out, seen } = await read(text, size);
        expect(seen).toEqual(tricky.invitations.map((v) => ['invitations', v]));
        expect(out?.members).toEqual({ version: 2, note: tricky.note, rate: tricky.rate });
        expect([...(out?.arrays ?? [])].sort()).toEqual(['drafts', 'invitations']);
      }
    });
  }

  it('keeps a named member that is not an array as a member', async () => {
    const { out, seen } = await read('{"outbox":{"a":1},"invitations":[]}', 4);
    expect(seen).toEqual([]);
    expect(out?.members).toEqual({ outbox: { a: 1 } });
    expect([...(out?.arrays ?? [])]).toEqual(['invitations']);
  });

  it('refuses what is not one whole JSON object', async () => {
    for (const text of [
      '{"version":2,"invitations":[',
      'null',
      '[]',
      '{"a":1} x',
      '{"a":tru}',
      '{"a" 1}',
      '',
      '{"a":[1,}',
      '{"a":1 "b":2}',
      '{"invitations":[1 2]}',
      '{"a":1,}',
      '{"invitations":[1,]}',
      '{,"a":1}',
      '{"invitations":[,1]}',
      '{"a":1,,"b":2}',
    ]) {
      await expect(read(text, 3), text).rejects.toThrow(JsonStreamError);
    }
  });

  it('says when the file is not there', async () => {
    expect(await streamJsonObject(path.join(dir, 'missing.json'), new Set(), () => undefined)).toBeUndefined();
  });
});
