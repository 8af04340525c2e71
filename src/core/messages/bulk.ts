/** The bulk page's texts: the form, the dry run's table and outcomes, why a list or a row is refused, the progress.
 * Pages escape what they show (views/html.ts): these return plain text. */
import type { Words } from '../i18n.js';

export type BulkCsvProblem = 'empty' | 'tooLarge' | 'tooManyRows' | 'control' | 'malformed';
export type BulkRowProblem =
  | 'address'
  | 'tooLong'
  | 'tooManyChannels'
  | 'duplicate'
  | 'role'
  | 'language'
  | 'channel'
  | 'rateLimit';

/** The list's limits, as the texts say them (src/core/bulkCsv.ts sets them). */
export interface BulkLimits {
  rows: number;
  characters: number;
  channels: number;
}

/** Why the whole list cannot be read. */
export function bulkCsvProblem(w: Words, limits: BulkLimits, problem: BulkCsvProblem, line?: number): string {
  switch (problem) {
    case 'tooLarge':
      return w.t('bulkPage.csv.tooLarge', { max: limits.characters });
    case 'tooManyRows':
      return w.t('bulkPage.csv.tooManyRows', { max: limits.rows });
    case 'control':
      return w.t('bulkPage.csv.control', { line: line ?? 1 });
    case 'malformed':
      return w.t('bulkPage.csv.malformed', { hasLine: line ? 'yes' : 'no', line: line ?? 0 });
    default:
      return w.t('bulkPage.csv.empty');
  }
}

/** Why one row is refused (`max`: the limit it broke, for `rateLimit` and `tooManyChannels`). */
export function bulkRowProblem(w: Words, problem: BulkRowProblem, max?: number): string {
  if (problem === 'tooManyChannels') return w.t('bulkPage.row.tooManyChannels', { max: max ?? 0 });
  if (problem === 'rateLimit') return w.t('bulkPage.row.rateLimit', { max: max ?? 0 });
  return w.t(`bulkPage.row.${problem}`);
}

export type BulkOutcomeKind = 'send' | 'approval' | 'member' | 'invited' | 'refused';

export const bulkText = {
  title: (w: Words) => w.t('bulkPage.title'),
  intro: (w: Words) => w.t('bulkPage.intro'),
  csvLabel: (w: Words) => w.t('bulkPage.csvLabel'),
  defaults: (w: Words) => w.t('bulkPage.defaults'),
  check: (w: Words) => w.t('bulkPage.check'),
  confirm: (w: Words, count: number) => w.t('bulkPage.confirm', { count }),
  confirmNote: (w: Words) => w.t('bulkPage.confirmNote'),
  nothingToSend: (w: Words) => w.t('bulkPage.nothingToSend'),
  previewTitle: (w: Words) => w.t('bulkPage.previewTitle'),
  previewSummary: (w: Words, counts: Record<BulkOutcomeKind, number>) => w.t('bulkPage.previewSummary', counts),
  column: (w: Words, c: 'line' | 'address' | 'name' | 'role' | 'channels' | 'outcome') => w.t(`bulkPage.column.${c}`),
  outcome: (w: Words, kind: Exclude<BulkOutcomeKind, 'refused'>) => w.t(`bulkPage.outcome.${kind}`),
  refused: (w: Words, why: string) => w.t('bulkPage.outcome.refused', { why }),
  progressTitle: (w: Words) => w.t('bulkPage.progressTitle'),
  progress: (w: Words, done: number, total: number) => w.t('bulkPage.progress', { done, total }),
  progressRefresh: (w: Words) => w.t('bulkPage.progressRefresh'),
  progressDone: (w: Words) => w.t('bulkPage.progressDone'),
  progressNone: (w: Words) => w.t('bulkPage.progressNone'),
  tooLarge: (w: Words, rows: number) => ({
    title: w.t('notice.bulkTooLarge.title'),
    lines: [w.t('notice.bulkTooLarge.split', { max: rows })],
  }),
};
