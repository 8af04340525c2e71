/** The invitation wizard as a web page, for chat servers that refuse to open dialogs (kChat may): the same core
 * steps and fields as the dialog, one page, no JavaScript. The form posts back to the page's own address, which
 * carries the signed form token, so the token is never written into the HTML. */

import type { Words } from '../../src/core/i18n.js';
import { submitLabel, wizardTitle } from '../../src/core/messages.js';
import type { Field, FieldErrors, Step } from '../../src/core/wizard.js';
import { html, type SafeHtml } from '../html.js';
import { type Org, page } from './layout.js';

export interface WizardFormView {
  words: Words;
  org: Org;
  steps: Step[];
  /** What was submitted, to fill the form again after an error. */
  values?: Record<string, unknown>;
  errors?: FieldErrors;
  error?: string;
}

const asList = (v: unknown): string[] =>
  Array.isArray(v) ? v.map(String) : typeof v === 'string' && v ? v.split(',') : [];
const asText = (v: unknown): string => (v == null ? '' : String(v));

function control(f: Field, value: unknown, describedBy: string): SafeHtml {
  const id = `f-${f.name}`;
  const aria = html`aria-describedby="${describedBy}"`;
  switch (f.kind) {
    case 'text': {
      const rest = html`placeholder="${f.placeholder ?? ''}" maxlength="${f.maxLength ?? 150}" ${aria}`;
      return html`<input id="${id}" name="${f.name}" type="text" value="${asText(value ?? f.default)}" ${rest}>`;
    }
    case 'textarea': {
      const rest = html`maxlength="${f.maxLength ?? 3000}" placeholder="${f.placeholder ?? ''}" ${aria}`;
      return html`<textarea id="${id}" name="${f.name}" rows="4" ${rest}>${asText(value ?? f.default)}</textarea>`;
    }
    case 'select': {
      const chosen = asText(value ?? f.default);
      const options = f.options.map((o) => {
        const selected = o.value === chosen ? html` selected` : '';
        return html`<option value="${o.value}"${selected}>${o.label}</option>`;
      });
      return html`<select id="${id}" name="${f.name}" ${aria}>${options}</select>`;
    }
    case 'multiselect': {
      const chosen = new Set(value === undefined ? f.default : asList(value));
      const boxes = f.options.map((o) => {
        const checked = chosen.has(o.value) ? html` checked` : '';
        return html`<label><input type="checkbox" name="${f.name}" value="${o.value}"${checked}> ${o.label}</label>`;
      });
      return html`${boxes}`;
    }
    case 'bool': {
      const on = value === undefined ? f.default : value === true || value === 'true';
      const checked = on ? html` checked` : '';
      return html`<label><input id="${id}" type="checkbox" name="${f.name}" value="true"${checked}> ${f.label}</label>`;
    }
  }
}

/** One field with its label, hint and error (also the playground's forms). */
export function field(f: Field, v: Pick<WizardFormView, 'values' | 'errors' | 'words'>): SafeHtml {
  const error = v.errors?.[f.name];
  const describedBy = [f.help ? `f-${f.name}-hint` : '', error ? `f-${f.name}-error` : ''].filter(Boolean).join(' ');
  const labelText = f.optional ? v.words.t('form.optional', { label: f.label }) : f.label;
  const label =
    f.kind === 'bool'
      ? ''
      : f.kind === 'multiselect'
        ? html`<p><strong>${f.label}</strong></p>`
        : html`<label for="f-${f.name}">${labelText}</label>`;
  return html`<div>${label}${control(f, v.values?.[f.name], describedBy)}
${f.help ? html`<p class="hint" id="f-${f.name}-hint">${f.help}</p>` : ''}
${error ? html`<p class="error" id="f-${f.name}-error">${error}</p>` : ''}</div>`;
}

export function wizardFormPage(v: WizardFormView): string {
  const w = v.words;
  const fixBelow =
    v.errors && Object.keys(v.errors).length ? html`<div class="alert" role="alert">${w.t('form.fixBelow')}</div>` : '';
  const body = html`<section class="card">
<h1>${v.steps[0]?.title ?? wizardTitle(w, 'who')}</h1>
${v.steps.map((s) => html`<p class="muted">${s.intro}</p>`)}
${v.error ? html`<div class="alert" role="alert">${v.error}</div>` : ''}
${fixBelow}
<form method="post">
${v.steps.flatMap((s) => s.fields).map((f) => field(f, v))}
<button type="submit">${submitLabel(w, 'invite')}</button>
</form>
</section>`;
  return page({ title: wizardTitle(w, 'who'), org: v.org, body, language: w.language });
}
