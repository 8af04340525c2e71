/** The setup page: how to connect Slack, Mattermost or kChat to this bot, and checks of a server and its tokens
 * before they go into the configuration. For the operator, in English. Server-rendered, no JavaScript. A token
 * typed in is never put back into the page. */
import { createHash } from 'node:crypto';
import { html, SafeHtml } from '../html.js';
import { PAGE_CSS } from '../pages/layout.js';

export interface CheckLine {
  status: 'ok' | 'missing' | 'unknown';
  text: string;
}

export interface CheckResult {
  kind: 'mattermost' | 'infomaniak';
  /** What was typed in, to fill the form again: never the token. */
  url?: string;
  accountId?: string;
  /** A form that could not be checked at all (a missing field, not a URL). */
  error?: string;
  ok?: boolean;
  lines?: CheckLine[];
}

export interface SetupView {
  /** Where the page is mounted, e.g. /setup. */
  base: string;
  csrf: string;
  publicUrl: string;
  trigger: string;
  /** The platforms configured now, by name. */
  configured: string[];
  /** The filled manifest, and Slack's link to create an app from it; undefined when manifest.yml is missing. */
  slack?: { manifest: string; createUrl: string };
  result?: CheckResult;
}

const SETUP_CSS =
  `
main{max-width:46rem}
pre,textarea.manifest{width:100%;font:13px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;` +
  `background:#f6f8fa;border:1px solid #d0d7de;border-radius:8px;padding:.75rem;overflow:auto}
textarea.manifest{height:16rem;resize:vertical}
dl.settings{display:grid;grid-template-columns:max-content 1fr;gap:.35rem 1rem;margin:.5rem 0}
dl.settings dt{font-weight:600}
dl.settings dd{margin:0;overflow-wrap:anywhere}
code{font:13px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#f6f8fa;padding:.1rem .3rem;` +
  `border-radius:4px}
input[type=url]{width:100%;font:inherit;padding:.7rem .75rem;border:1px solid #afb8c1;border-radius:8px}
ul.checks{list-style:none;padding:0;margin:.75rem 0}
ul.checks li{padding:.45rem 0 .45rem 1.8rem;position:relative;border-bottom:1px solid #eaeef2}
ul.checks li::before{position:absolute;left:0;font-weight:700}
ul.checks li.ok::before{content:"✓";color:#1a7f37}
ul.checks li.missing::before{content:"✗";color:#cf222e}
ul.checks li.unknown::before{content:"–";color:#57606a}
.verdict{font-weight:600}
.verdict.ok{color:#1a7f37}
.verdict.missing{color:#cf222e}
`;
const CSS = PAGE_CSS + SETUP_CSS;

/** For the CSP's style-src. */
export const SETUP_CSS_HASH = `'sha256-${createHash('sha256').update(CSS).digest('base64')}'`;

function resultBlock(result: CheckResult | undefined, kind: CheckResult['kind']): SafeHtml | string {
  if (result?.kind !== kind) return '';
  if (result.error) return html`<p class="alert" role="alert" id="${kind}-result">${result.error}</p>`;
  return html`<div id="${kind}-result" role="status">
<p class="verdict ${result.ok ? 'ok' : 'missing'}">${
    result.ok ? 'Everything the bot needs is there.' : 'Something is missing:'
  }</p>
<ul class="checks">${(result.lines ?? []).map((l) => html`<li class="${l.status}">${l.text}</li>`)}</ul>
</div>`;
}

const tokenField = (id: string, label: string, hint: string) => html`<label for="${id}">${label}</label>
<input type="password" id="${id}" name="token" required maxlength="1000" autocomplete="off" spellcheck="false">
<p class="hint">${hint}</p>`;

export function setupPage(view: SetupView): string {
  const r = view.result;
  const commandUrl = `${view.publicUrl}/mattermost/command`;
  const slack = view.slack
    ? html`<p>Create the Slack app from this manifest, filled in with this bot's address
(<code>${view.publicUrl}</code>) and command (<code>/${view.trigger}</code>):</p>
<p><a class="button" id="slack-create" href="${view.slack.createUrl}" target="_blank" rel="noopener noreferrer">
Create the Slack app from this manifest</a></p>
<p>Or copy it into api.slack.com/apps → Create New App → From a manifest:</p>
<textarea class="manifest" id="slack-manifest" readonly spellcheck="false">${view.slack.manifest}</textarea>
<p>Then install the app to the workspace and set <code>SLACK_BOT_TOKEN</code> (the bot token, <code>xoxb-…</code>),
<code>SLACK_SIGNING_SECRET</code> and <code>SLACK_JOIN_URL</code> (or, on Enterprise Grid,
<code>SLACK_ADMIN_TOKEN</code>), and restart the bot. Without a public address, use Socket Mode
(<code>socket_mode_enabled: true</code> and <code>SLACK_APP_TOKEN</code>; see the README).</p>`
    : html`<p class="alert">manifest.yml is not next to the bot, so it cannot be filled in here.</p>`;

  const body = html`<section class="card">
<h1>Set up Guestlist</h1>
<p>${
    view.configured.length
      ? `Configured now: ${view.configured.join(', ')}.`
      : 'No chat platform is configured yet. Pick yours below, then set the variables it names and restart the bot.'
  }</p>
<p class="muted">This bot's address as platforms must reach it (<code>PUBLIC_URL</code>):
<code>${view.publicUrl}</code>. Nothing on this page writes to the servers it checks.</p>
</section>

<section class="card" id="slack">
<h2>Slack</h2>
${slack}
</section>

<section class="card" id="mattermost">
<h2>Mattermost or kChat</h2>
<p>The bot registers its slash command itself when its token may manage commands. Otherwise create it by hand
(Integrations → Slash Commands → Add) with these settings, and put its token in
<code>MATTERMOST_COMMAND_TOKEN</code>:</p>
<dl class="settings">
<dt>Request URL</dt><dd><code id="command-url">${commandUrl}</code></dd>
<dt>Request method</dt><dd><code>POST</code></dd>
<dt>Command trigger word</dt><dd><code id="command-trigger">${view.trigger}</code></dd>
<dt>Autocomplete</dt><dd>on</dd>
<dt>Autocomplete hint</dt><dd><code>[email] | list | help</code></dd>
<dt>Autocomplete description</dt><dd>Invite people to this team</dd>
</dl>
<h2>Check a server and a bot token</h2>
<form method="post" action="${view.base}/check" novalidate>
<input type="hidden" name="csrf" value="${view.csrf}">
<input type="hidden" name="kind" value="mattermost">
<label for="mm-url">Server address (<code>MATTERMOST_URL</code>)</label>
<input type="url" id="mm-url" name="url" required maxlength="2000" placeholder="https://chat.example.org"
value="${r?.kind === 'mattermost' ? (r.url ?? '') : ''}">
${tokenField('mm-token', 'Bot token (MATTERMOST_BOT_TOKEN)', 'Used for this check only: neither kept nor logged.')}
<button type="submit">Check</button>
</form>
${resultBlock(r, 'mattermost')}
</section>

<section class="card" id="infomaniak">
<h2>kChat: the Infomaniak organization</h2>
<p>On kChat the bot also acts in the Infomaniak organization (<code>INFOMANIAK_API_TOKEN</code>,
<code>INFOMANIAK_ACCOUNT_ID</code>). This runs the same check as the bot's start-up: it lists one user of the
organization.</p>
<form method="post" action="${view.base}/check" novalidate>
<input type="hidden" name="csrf" value="${view.csrf}">
<input type="hidden" name="kind" value="infomaniak">
<label for="ik-account">Organization id (<code>INFOMANIAK_ACCOUNT_ID</code>)</label>
<input type="text" id="ik-account" name="accountId" required inputmode="numeric" pattern="[0-9]+" maxlength="12"
value="${r?.kind === 'infomaniak' ? (r.accountId ?? '') : ''}">
${tokenField('ik-token', 'API token (INFOMANIAK_API_TOKEN)', 'Used for this check only: neither kept nor logged.')}
<button type="submit">Check</button>
</form>
${resultBlock(r, 'infomaniak')}
</section>`;

  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex, nofollow">
<title>Set up Guestlist</title>
<style>${new SafeHtml(CSS)}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>`.value;
}
