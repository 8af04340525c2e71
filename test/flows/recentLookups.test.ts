import { describe, expect, it } from 'vitest';
import { RecentLookups } from '../../src/flows/recentLookups.js';

describe('recent lookups', () => {
  it('reuses a value within its lifetime, looks again after, and never keeps a failure', async () => {
    let now = 0;
    let calls = 0;
    const memo = new RecentLookups<number>(1000, () => now);
    const load = async () => ++calls;
    expect(await memo.get('a', load)).toBe(1);
    now = 999;
    expect(await memo.get('a', load)).toBe(1);
    now = 1000;
    expect(await memo.get('a', load)).toBe(2);
    await expect(memo.get('b', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await memo.get('b', load)).toBe(3);
  });

  it('forgets the oldest entry when full', async () => {
    const memo = new RecentLookups<string>(60_000, () => 0, 2);
    await memo.get('a', async () => 'a1');
    await memo.get('b', async () => 'b1');
    await memo.get('c', async () => 'c1');
    expect(await memo.get('a', async () => 'a2')).toBe('a2');
    expect(await memo.get('c', async () => 'c2')).toBe('c1');
  });
});
