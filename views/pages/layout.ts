/** The shell of every acceptance page: phone-first, no JavaScript, one inline style sheet allowed by its hash in
 * the Content-Security-Policy (so no 'unsafe-inline'). */
import { createHash } from 'node:crypto';
import { LANGUAGE_NAMES, LANGUAGES, type Language } from '../../src/core/i18n.js';
import { html, httpUrl, SafeHtml } from '../html.js';

export interface Org {
  name: string;
  logoUrl?: string;
}

const FONTS = '-apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,Helvetica,Arial,sans-serif';

export const PAGE_CSS =
  `
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:#f4f5f7;color:#1f2328;font:16px/1.5 ${FONTS}}
main{max-width:30rem;margin:0 auto;padding:1rem}
.card{background:#fff;border-radius:12px;padding:1.25rem;box-shadow:0 1px 3px rgba(0,0,0,.08);margin-bottom:1rem}
header{display:flex;align-items:center;gap:.75rem;margin:.5rem 0 1rem}
header img{width:48px;height:48px;object-fit:contain;border-radius:8px;background:#fff}
header .org{font-weight:600;font-size:1.1rem;overflow-wrap:anywhere}
h1{font-size:1.4rem;line-height:1.3;margin:0 0 .75rem;overflow-wrap:anywhere}
h2{font-size:1.05rem;margin:0 0 .5rem}
p{margin:.5rem 0;overflow-wrap:anywhere}
.muted{color:#57606a;font-size:.92rem}
.email{display:block;font-weight:600;font-size:1.05rem;background:#eef3fd;border-radius:8px;` +
  `padding:.6rem .75rem;margin:.5rem 0;overflow-wrap:anywhere}
ul.facts{list-style:none;padding:0;margin:.5rem 0}
ul.facts li{padding:.35rem 0;border-bottom:1px solid #eaeef2;overflow-wrap:anywhere}
ul.facts li:last-child{border-bottom:0}
blockquote{margin:.75rem 0;padding:.5rem .75rem;border-left:4px solid #d0d7de;color:#444;overflow-wrap:anywhere}
label{display:block;font-weight:600;margin:.9rem 0 .25rem}
input[type=text],input[type=password]{width:100%;font:inherit;padding:.7rem .75rem;border:1px solid #afb8c1;` +
  `border-radius:8px;background:#fff}
input:focus,button:focus{outline:3px solid #8cb4ff;outline-offset:1px}
input[aria-invalid=true]{border-color:#cf222e}
.hint{color:#57606a;font-size:.85rem;margin:.25rem 0 0}
.error{color:#cf222e;font-size:.9rem;margin:.25rem 0 0}
.alert{background:#fff1f0;border:1px solid #ffc1bd;border-radius:8px;padding:.75rem;margin:.5rem 0}
.row{display:flex;gap:.75rem}
.row>div{flex:1;min-width:0}
button,.button{display:block;width:100%;margin-top:1.25rem;padding:.85rem 1rem;font:inherit;font-weight:600;` +
  `color:#fff;background:#1c58d9;border:0;border-radius:8px;text-align:center;text-decoration:none;cursor:pointer}
.button.secondary,button.secondary{background:#fff;color:#1c58d9;border:1px solid #1c58d9}
@media (max-width:360px){.row{display:block}}
nav.languages{display:flex;flex-wrap:wrap;gap:.25rem .75rem;justify-content:center;font-size:.9rem;margin:1rem 0}
nav.languages a{color:#1c58d9}
nav.languages a[aria-current]{color:#1f2328;font-weight:600;text-decoration:none}
textarea{width:100%;font:inherit;font-family:monospace;padding:.5rem;border:1px solid #afb8c1;border-radius:8px}
table.bulk{width:100%;border-collapse:collapse;font-size:.8rem}
table.bulk th,table.bulk td{text-align:left;padding:.25rem;border-bottom:1px solid #eaeef2;overflow-wrap:anywhere}
progress{width:100%;height:1.25rem}
`;

/** For the CSP's style-src. */
export const PAGE_CSS_HASH = `'sha256-${createHash('sha256').update(PAGE_CSS).digest('base64')}'`;

/** Links to the same page in each language (`?lang=`, so the path, and a token in it, is never in the HTML). */
function languageSwitch(current: Language): SafeHtml {
  const links = LANGUAGES.map((l) =>
    l === current
      ? html`<a href="?lang=${l}" hreflang="${l}" lang="${l}" aria-current="true">${LANGUAGE_NAMES[l]}</a>`
      : html`<a href="?lang=${l}" hreflang="${l}" lang="${l}">${LANGUAGE_NAMES[l]}</a>`,
  );
  return html`<nav class="languages" aria-label="Language">${links}</nav>`;
}

/** `switchLanguage`: the page can be shown in another language by a link (the acceptance page). */
export function page(opts: {
  title: string;
  org: Org;
  body: SafeHtml;
  language?: Language;
  switchLanguage?: boolean;
  /** Seconds after which the page loads itself again (the bulk progress), without JavaScript. */
  refresh?: number;
}): string {
  const logo = httpUrl(opts.org.logoUrl);
  const language = opts.language ?? 'en';
  return html`<!doctype html>
<html lang="${language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex, nofollow">
${opts.refresh ? html`<meta http-equiv="refresh" content="${String(opts.refresh)}">` : ''}
<title>${opts.title} · ${opts.org.name}</title>
<style>${new SafeHtml(PAGE_CSS)}</style>
</head>
<body>
<main>
<header>${logo ? html`<img src="${logo}" alt="">` : ''}<span class="org">${opts.org.name}</span></header>
${opts.body}
${opts.switchLanguage ? languageSwitch(language) : ''}
</main>
</body>
</html>`.value;
}
