import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

describe('configuration', () => {
  it('starts with nothing set: web server only, embedded store, the non-colliding trigger', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 3000, dataDir: './data', trigger: 'invite-people' });
    expect(config.invitesPerHour).toEqual({ member: 20, admin: 1000 });
    expect(config.mattermost).toBeUndefined();
    expect(config.database).toBeUndefined();
  });

  it.each([
    [{ PORT: 'eighty' }, /PORT/],
    [{ MATTERMOST_URL: 'https://chat.example.org' }, /MATTERMOST_BOT_TOKEN: is required/],
    [{ COMMAND_TRIGGER: '/invite' }, /COMMAND_TRIGGER/],
    [{ GUESTLIST_SECRET: 'short' }, /GUESTLIST_SECRET: must be at least 32/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL/],
  ])('names the wrong variable: %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('takes the public URL from PORT when PUBLIC_URL is unset, so the links given point at the bot', () => {
    expect(loadConfig({}).publicUrl).toBe('http://localhost:3000');
    expect(loadConfig({ PORT: '8080' }).publicUrl).toBe('http://localhost:8080');
    expect(loadConfig({ PORT: '8080', PUBLIC_URL: '' }).publicUrl).toBe('http://localhost:8080');
  });

  it('reads several command tokens and trims the public URL', () => {
    const config = loadConfig({
      PUBLIC_URL: 'https://bot.example.org/',
      MATTERMOST_URL: 'https://chat.example.org/',
      MATTERMOST_BOT_TOKEN: 'b',
      MATTERMOST_COMMAND_TOKEN: 'a1, a2',
    });
    expect(config.publicUrl).toBe('https://bot.example.org');
    expect(loadConfig({ PORT: '8080', PUBLIC_URL: 'https://bot.example.org' }).publicUrl).toBe(
      'https://bot.example.org',
    );
    expect(config.mattermost).toMatchObject({ url: 'https://chat.example.org', commandTokens: ['a1', 'a2'] });
  });
});

describe('guests’ access', () => {
  it('reads GUEST_MAX_DAYS and GUEST_END_ACTION, and refuses values it cannot use', () => {
    expect(loadConfig({}).guests).toEqual({ maxDays: undefined, endAction: 'deactivate' });
    expect(loadConfig({ GUEST_MAX_DAYS: '120', GUEST_END_ACTION: 'remove-from-team' }).guests).toEqual({
      maxDays: 120,
      endAction: 'remove-from-team',
    });
    expect(loadConfig({ GUEST_MAX_DAYS: '' }).guests.maxDays).toBeUndefined();
    for (const env of [{ GUEST_MAX_DAYS: '0' }, { GUEST_MAX_DAYS: '1.5' }, { GUEST_END_ACTION: 'delete' }]) {
      expect(() => loadConfig(env)).toThrow(ConfigError);
    }
  });
});

describe('the welcome template', () => {
  it('refuses an unknown placeholder or a lone brace at start-up, naming the variable', () => {
    expect(() => loadConfig({ WELCOME_MESSAGE: 'Hi {name}, see {secret}' })).toThrow(
      /WELCOME_MESSAGE: unknown placeholder \{secret\}: use \{name\}, \{inviter\}/,
    );
    expect(() => loadConfig({ WELCOME_MESSAGE: 'Hi {name' })).toThrow(/WELCOME_MESSAGE: a lone "\{"/);
    expect(loadConfig({ WELCOME_MESSAGE: 'Hi {name}, {inviter} brought you' }).welcome?.all?.default).toEqual([
      { text: 'Hi ' },
      { placeholder: 'name' },
      { text: ', ' },
      { placeholder: 'inviter' },
      { text: ' brought you' },
    ]);
  });

  it('reads a file per workspace and language, and names what is wrong in it', async () => {
    const { mkdtemp, writeFile } = await import('node:fs/promises');
    const dir = await mkdtemp(path.join(os.tmpdir(), 'guestlist-welcome-'));
    const file = path.join(dir, 'welcome.json');
    await writeFile(file, JSON.stringify({ '*': 'Hello {name}', team1: { fr: 'Bonjour {name}', default: 'Hi' } }));
    const welcome = loadConfig({ WELCOME_MESSAGE_FILE: file }).welcome!;
    expect(welcome.all?.default).toEqual([{ text: 'Hello ' }, { placeholder: 'name' }]);
    expect(Object.keys(welcome.teams.team1!)).toEqual(['fr', 'default']);
    await writeFile(file, JSON.stringify({ team1: { fr: 'Bonjour {nom}' } }));
    expect(() => loadConfig({ WELCOME_MESSAGE_FILE: file })).toThrow(/team1\.fr: unknown placeholder \{nom\}/);
    await writeFile(file, JSON.stringify({ team1: { xx: 'Hi' } }));
    expect(() => loadConfig({ WELCOME_MESSAGE_FILE: file })).toThrow(/WELCOME_MESSAGE_FILE .*team1/);
    expect(() => loadConfig({ WELCOME_MESSAGE_FILE: path.join(dir, 'none.txt') })).toThrow(/cannot be read/);
    expect(() => loadConfig({ WELCOME_MESSAGE: 'a', WELCOME_MESSAGE_FILE: file })).toThrow(/not both/);
  });
});
