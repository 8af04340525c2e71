/** The bulk page: a CSV in a textarea with the common settings, the dry run's table, and the progress of a sent
 * list (refreshed by a meta tag, no JavaScript). Forms post back to the page's own address, which carries the
 * signed token, so the token is never written into the HTML. */
import type { Words } from '../../src/core/i18n.js';
import { bulkText } from '../../src/core/messages.js';
import type { Field, FieldErrors } from '../../src/core/wizard.js';
import type { BulkLine } from '../../src/flows/bulk.js';
import { html, type SafeHtml } from '../html.js';
import { type Org, page } from './layout.js';
import { field } from './wizardFormPage.js';

export interface BulkFormView {
  words: Words;
  org: Org;
  fields: Field[];
  csv: string;
  maxLength: number;
  values?: Record<string, unknown>;
  errors?: FieldErrors;
  error?: string;
  preview?: { lines: BulkLine[]; counts: Record<BulkLine['outcome']['kind'], number> };
}

function outcome(w: Words, l: BulkLine): string {
  return l.outcome.kind === 'refused' ? bulkText.refused(w, l.outcome.why(w)) : bulkText.outcome(w, l.outcome.kind);
}

function table(w: Words, lines: BulkLine[]): SafeHtml {
  const cols = (['line', 'address', 'name', 'role', 'channels', 'outcome'] as const).map(
    (c) => html`<th scope="col">${bulkText.column(w, c)}</th>`,
  );
  const rows = lines.map(
    (l) => html`<tr data-outcome="${l.outcome.kind}"><td>${String(l.line)}</td><td>${l.email}</td><td>${l.name}</td>
<td>${l.role ? w.t(`role.${l.role}`) : ''}</td><td>${l.channels.join(', ')}</td><td>${outcome(w, l)}</td></tr>`,
  );
  return html`<table class="bulk"><thead><tr>${cols}</tr></thead><tbody>${rows}</tbody></table>`;
}

export function bulkFormPage(v: BulkFormView): string {
  const w = v.words;
  const sendable = v.preview ? v.preview.counts.send + v.preview.counts.approval : 0;
  const preview = v.preview
    ? html`<section class="card" aria-labelledby="preview">
<h2 id="preview">${bulkText.previewTitle(w)}</h2>
<p role="status">${bulkText.previewSummary(w, v.preview.counts)}</p>
${table(w, v.preview.lines)}
${sendable ? html`<p class="muted">${bulkText.confirmNote(w)}</p>` : html`<p>${bulkText.nothingToSend(w)}</p>`}
</section>`
    : '';
  const confirm = sendable
    ? html`<button type="submit" name="intent" value="send">${bulkText.confirm(w, sendable)}</button>`
    : '';
  const body = html`<section class="card">
<h1>${bulkText.title(w)}</h1>
<p class="muted">${bulkText.intro(w)}</p>
${v.error ? html`<div class="alert" role="alert">${v.error}</div>` : ''}
<form method="post">
<label for="f-csv">${bulkText.csvLabel(w)}</label>
<textarea id="f-csv" name="csv" rows="10" maxlength="${String(v.maxLength)}">${v.csv}</textarea>
<h2>${bulkText.defaults(w)}</h2>
${v.fields.map((f) => field(f, v))}
<button type="submit" name="intent" value="preview" class="secondary">${bulkText.check(w)}</button>
${confirm}
</form>
</section>
${preview}`;
  return page({ title: bulkText.title(w), org: v.org, body, language: w.language });
}

export function bulkProgressPage(v: { words: Words; org: Org; done: number; total: number }): string {
  const w = v.words;
  const finished = v.done >= v.total;
  const state = !v.total
    ? html`<p>${bulkText.progressNone(w)}</p>`
    : html`<progress max="${String(v.total)}" value="${String(v.done)}">${String(v.done)}</progress>
<p role="status">${bulkText.progress(w, v.done, v.total)}</p>
<p class="muted">${finished ? bulkText.progressDone(w) : bulkText.progressRefresh(w)}</p>`;
  const body = html`<section class="card"><h1>${bulkText.progressTitle(w)}</h1>${state}</section>`;
  return page({
    title: bulkText.progressTitle(w),
    org: v.org,
    body,
    language: w.language,
    refresh: !finished && v.total ? 2 : undefined,
  });
}
