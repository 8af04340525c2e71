/** manifest.yml is what a workspace installs: it must be valid for Slack (its official JSON schema) and match
 * what the code handles: the command, one request URL for everything, the events listened to and the scopes
 * of every Web API method called. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../../src/config.js';
import { SLACK_MOUNT_PATH } from '../../../src/platforms/slack/index.js';
import { EVENTS_PATH } from '../../../src/platforms/slack/receiver.js';
import { COMMAND_SCOPE, EVENT_SCOPES, METHOD_SCOPES } from '../../../src/platforms/slack/scopes.js';

const root = path.resolve(import.meta.dirname, '../../..');
const SCHEMA = path.resolve(root, '../shared/specs/slack/manifest.schema.1.0.0.json');

async function manifest(): Promise<any> {
  return parse(await readFile(path.join(root, 'manifest.yml'), 'utf8'));
}

describe('manifest.yml', () => {
  it('is valid against Slack’s manifest schema 1.0.0', async () => {
    // strict off: the schema uses a non-standard `regex` keyword; its one format (uri) is for `$schema`, unused here.
    const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
    const validate = ajv.compile(JSON.parse(await readFile(SCHEMA, 'utf8')));
    const ok = validate(await manifest());
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('declares the command the bot answers (not Slack’s own /invite)', async () => {
    const commands = (await manifest()).features.slash_commands.map((c: { command: string }) => c.command);
    expect(commands).toEqual([`/${loadConfig({}).trigger}`]);
  });

  it('sends commands, interactivity and events to the one path the bot mounts', async () => {
    const m = await manifest();
    const urls = [
      ...m.features.slash_commands.map((c: { url: string }) => c.url),
      m.settings.interactivity.request_url,
      m.settings.event_subscriptions.request_url,
    ];
    expect(m.settings.interactivity.is_enabled).toBe(true);
    for (const url of urls) expect(new URL(url).pathname).toBe(`${SLACK_MOUNT_PATH}${EVENTS_PATH}`);
  });

  it('subscribes to exactly the events the bot listens to, and grants every scope the code needs', async () => {
    const m = await manifest();
    expect([...m.settings.event_subscriptions.bot_events].sort()).toEqual(Object.keys(EVENT_SCOPES).sort());
    const needed = new Set([
      COMMAND_SCOPE,
      ...Object.values(METHOD_SCOPES).flat(),
      ...Object.values(EVENT_SCOPES).flat(),
    ]);
    expect([...m.oauth_config.scopes.bot].sort()).toEqual([...needed].sort());
  });

  it('would be refused with a command Slack cannot accept', async () => {
    const ajv = new Ajv({ strict: false, validateFormats: false });
    const validate = ajv.compile(JSON.parse(await readFile(SCHEMA, 'utf8')));
    const m = await manifest();
    m.features.slash_commands[0].command = 'invite-people';
    expect(validate(m)).toBe(false);
  });
});
