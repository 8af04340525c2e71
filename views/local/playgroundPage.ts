/** The playground: a small web chat around the bot. Server-rendered; every form works without JavaScript. The one
 * inline script (allowed by its hash) submits the person switch and, on each server-sent event, fetches the live
 * part of the page again; the style sheet is allowed by its hash too. */

import { createHash } from 'node:crypto';
import type { Words } from '../../src/core/i18n.js';
import type { Field, FieldErrors } from '../../src/core/wizard.js';
import { html, SafeHtml } from '../html.js';
import { field } from '../pages/wizardFormPage.js';
import { renderMarkup } from './markup.js';

export interface PersonView {
  id: string;
  username: string;
  displayName: string;
  email: string;
  level: string;
}
export interface ButtonView {
  label: string;
  style?: 'primary' | 'danger';
}
export interface MessageView {
  id: string;
  from: string;
  at: string;
  text: string;
  outcome: string[];
  buttons: ButtonView[];
  ephemeral: boolean;
}
export interface InvitationView {
  name: string;
  email: string;
  role: string;
  state: string;
  inviter: string;
}
export interface FormView {
  words: Words;
  title: string;
  intro?: string;
  state: string;
  fields: Field[];
  submitLabel: string;
  values?: Record<string, unknown>;
  errors?: FieldErrors;
  error?: string;
}
export interface PlaygroundView {
  base: string;
  trigger: string;
  csrf: string;
  me: PersonView;
  people: PersonView[];
  channels: { id: string; name: string; member: boolean }[];
  current: { id: string; name: string; direct: boolean };
  messages: MessageView[];
  invitations: InvitationView[];
  form?: FormView;
  /** The setup page, where a real platform is connected; undefined when it is not served. */
  setupUrl?: string;
}

const CSS = `
*{box-sizing:border-box}
body{margin:0;color:#1f2328;background:#f4f5f7}
body{font:15px/1.45 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,Helvetica,Arial,sans-serif}
.app{display:grid;grid-template-columns:230px 1fr 330px;grid-template-rows:1fr auto;height:100vh}
.app-live{display:contents}
nav{grid-row:1/3;background:#1e325c;color:#dde5f5;padding:1rem;overflow:auto}
nav h1{font-size:1.1rem;margin:0 0 .25rem;color:#fff}
nav .note{font-size:.8rem;color:#aebbd6;margin:0 0 1rem}
nav h2{font-size:.75rem;text-transform:uppercase;letter-spacing:.05em;color:#aebbd6;margin:1.2rem 0 .4rem}
nav a{display:block;color:#dde5f5;text-decoration:none;padding:.2rem .4rem;border-radius:4px}
nav a.on{background:#3d5a99;color:#fff}
nav a.off{color:#7f8fb3}
nav a#setup{display:inline-block;padding:0;margin:0 0 1rem;color:#fff;text-decoration:underline}
nav select,nav button{width:100%;font:inherit;margin-top:.3rem}
main{grid-column:2;grid-row:1;min-height:0;display:flex;flex-direction:column;min-width:0;background:#fff}
main header{padding:.75rem 1rem;border-bottom:1px solid #e1e4e8;font-weight:600}
.messages{flex:1;overflow:auto;padding:1rem}
.msg{margin:0 0 .9rem}
.msg .who{font-weight:600}
.msg .at{color:#6a737d;font-size:.8rem;margin-left:.4rem}
.msg .body{overflow-wrap:anywhere}
.msg.ephemeral{background:#f6f8fa;border-left:3px solid #8cb4ff;padding:.4rem .6rem}
.msg .outcome{color:#57606a;font-style:italic}
.mention{background:#fff3c4;border-radius:3px;padding:0 .15rem}
.buttons{display:flex;gap:.4rem;margin-top:.3rem}
.buttons button{font:inherit;padding:.25rem .7rem;border:1px solid #afb8c1;border-radius:4px;background:#fff}
.buttons button{cursor:pointer}
.buttons button.primary{background:#1c58d9;color:#fff;border-color:#1c58d9}
.buttons button.danger{color:#cf222e;border-color:#cf222e}
.composer{grid-column:2;grid-row:2;display:flex;gap:.5rem;padding:.75rem 1rem;border-top:1px solid #e1e4e8}
.composer input{flex:1;font:inherit;padding:.5rem;border:1px solid #afb8c1;border-radius:6px}
.composer button,aside button{font:inherit;padding:.5rem .9rem;border:0;border-radius:6px;background:#1c58d9}
.composer button,aside button{color:#fff;cursor:pointer}
aside{grid-column:3;grid-row:1/3;border-left:1px solid #e1e4e8;padding:1rem;overflow:auto}
aside h2{font-size:1rem;margin:1rem 0 .4rem}
aside h2:first-child{margin-top:0}
.card{background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:.75rem;margin-bottom:1rem}
.card label{display:block;font-weight:600;margin:.6rem 0 .2rem}
.card input[type=text],.card textarea,.card select{width:100%;font:inherit;padding:.4rem;border:1px solid #afb8c1}
.card input,.card textarea,.card select{border-radius:6px}
.hint{color:#57606a;font-size:.8rem;margin:.2rem 0}
.error,.alert{color:#cf222e;font-size:.85rem}
ul.list{list-style:none;padding:0;margin:0}
ul.list li{padding:.3rem 0;border-bottom:1px solid #eaeef2;overflow-wrap:anywhere}
.state{display:inline-block;font-size:.75rem;border-radius:10px;padding:0 .5rem;background:#eef3fd;color:#1c58d9}
.muted{color:#6a737d;font-size:.85rem}
`;

const SCRIPT = `
document.getElementById('as').addEventListener('change', (e) => e.target.form.submit());
const live = document.getElementById('live');
const events = new EventSource(live.dataset.events);
events.addEventListener('change', async () => {
  const res = await fetch(live.dataset.fragment, { credentials: 'same-origin' });
  if (res.ok) live.innerHTML = await res.text();
});
`;

const hash = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
export const PLAYGROUND_CSS_HASH = hash(CSS);
export const PLAYGROUND_SCRIPT_HASH = hash(SCRIPT);

function query(v: Pick<PlaygroundView, 'me' | 'current'>): string {
  return `as=${encodeURIComponent(v.me.id)}&c=${encodeURIComponent(v.current.id)}`;
}

/** What every form of the page carries: who acts, where, and the CSRF token. */
function hidden(v: PlaygroundView): SafeHtml {
  return html`<input type="hidden" name="as" value="${v.me.id}"><input type="hidden" name="c" value="${v.current.id}">
<input type="hidden" name="csrf" value="${v.csrf}">`;
}

function message(v: PlaygroundView, m: MessageView, usernames: Set<string>): SafeHtml {
  const text = (t: string) => renderMarkup(t, (name) => usernames.has(name.toLowerCase()));
  const buttons = m.buttons.length
    ? html`<form class="buttons" method="post" action="${v.base}/click">${hidden(v)}
<input type="hidden" name="message" value="${m.id}">
${m.buttons.map((b, i) => html`<button name="button" value="${i}" class="${b.style ?? ''}">${b.label}</button>`)}
</form>`
    : '';
  const note = m.ephemeral ? ' · only you can see this' : '';
  return html`<div class="msg${m.ephemeral ? ' ephemeral' : ''}">
<span class="who">${m.from}</span><span class="at">${m.at.slice(11, 16)}${note}</span>
<div class="body">${text(m.text)}</div>${m.outcome.map((o) => html`<div class="outcome">${text(o)}</div>`)}
${buttons}</div>`;
}

/** The part of the page that server-sent events refresh: the messages and the team's state. */
export function playgroundLive(v: PlaygroundView): string {
  const usernames = new Set(v.people.map((p) => p.username.toLowerCase()));
  const messages = v.messages.length
    ? v.messages.map((m) => message(v, m, usernames))
    : html`<p class="muted">No messages yet.</p>`;
  return html`<main><header>${v.current.direct ? 'Direct messages with Guestlist' : html`~${v.current.name}`}</header>
<div class="messages">${messages}</div>
</main>
<aside>${v.form ? form(v, v.form) : ''}
<h2>Invitations</h2>
${
  v.invitations.length
    ? html`<ul class="list">${v.invitations.map(invitation)}</ul>`
    : html`<p class="muted">None yet. Type <code>/${v.trigger}</code> in a channel.</p>`
}
<h2>Team</h2>
<ul class="list">${v.people.map(
    (p) => html`<li>${p.displayName}
<span class="muted">@${p.username} · ${p.level}</span></li>`,
  )}</ul>
</aside>`.value;
}

function invitation(i: InvitationView): SafeHtml {
  return html`<li><span class="state">${i.state}</span> ${i.name} &lt;${i.email}&gt;<br>
<span class="muted">${i.role}, invited by ${i.inviter}</span></li>`;
}

function form(v: PlaygroundView, f: FormView): SafeHtml {
  return html`<section class="card"><h2>${f.title}</h2>${f.intro ? html`<p class="muted">${f.intro}</p>` : ''}
${f.error ? html`<p class="alert" role="alert">${f.error}</p>` : ''}
<form method="post" action="${v.base}/form">${hidden(v)}<input type="hidden" name="state" value="${f.state}">
${f.fields.map((x) => field(x, f))}
<p><button type="submit">${f.submitLabel}</button> <button type="submit" name="cancel" value="1">Cancel</button></p>
</form></section>`;
}

export function playgroundPage(v: PlaygroundView): string {
  const q = query(v);
  const link = (channelId: string) => `${v.base}/?as=${encodeURIComponent(v.me.id)}&c=${encodeURIComponent(channelId)}`;
  const option = (p: PersonView) =>
    html`<option value="${p.id}"${p.id === v.me.id ? html` selected` : ''}>${p.displayName} (${p.level})</option>`;
  const channelLink = (c: { id: string; name: string; member: boolean }) =>
    html`<a class="${c.id === v.current.id ? 'on' : c.member ? '' : 'off'}" href="${link(c.id)}">~${c.name}</a>`;
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow"><title>Guestlist playground</title>
<style>${new SafeHtml(CSS)}</style></head>
<body><div class="app">
<nav><h1>Guestlist playground</h1><p class="note">A local chat to try the bot. Do not expose it.</p>
${v.setupUrl ? html`<a id="setup" href="${v.setupUrl}">Connect a real platform</a>` : ''}
<form method="get" action="${v.base}/"><label for="as">Acting as</label>
<select id="as" name="as">${v.people.map(option)}</select>
<input type="hidden" name="c" value="${v.current.id}"><noscript><button>Switch</button></noscript></form>
<h2>Channels</h2>${v.channels.map(channelLink)}
<h2>Direct messages</h2><a class="${v.current.direct ? 'on' : ''}" href="${link(`dm-${v.me.id}`)}">Guestlist</a>
</nav>
<div id="live" data-events="${v.base}/events" data-fragment="${v.base}/live?${q}" class="app-live">
${new SafeHtml(playgroundLive(v))}</div>
<form class="composer" method="post" action="${v.base}/say">${hidden(v)}
<input name="text" maxlength="4000" autocomplete="off" aria-label="Message"
 placeholder="Message ~${v.current.name}, or /${v.trigger} help">
<button type="submit">Send</button></form>
</div>
<script>${new SafeHtml(SCRIPT)}</script>
</body></html>`.value;
}
