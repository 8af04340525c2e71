import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config.js';

const chat = {
  MATTERMOST_URL: 'https://acme.kchat.infomaniak.com',
  MATTERMOST_BOT_TOKEN: 'b',
  MATTERMOST_COMMAND_TOKEN: 'c',
};

describe('kChat settings', () => {
  it('turn the kChat backend on with the token, with defaults for the API and the poll', () => {
    const config = loadConfig({ ...chat, INFOMANIAK_API_TOKEN: 't', INFOMANIAK_ACCOUNT_ID: '42' });
    expect(config.kchat).toEqual({
      apiUrl: 'https://api.infomaniak.com',
      token: 't',
      accountId: '42',
      kdriveId: undefined,
      arrivalPollSeconds: 60,
    });
    expect(
      loadConfig({
        ...chat,
        INFOMANIAK_API_TOKEN: 't',
        INFOMANIAK_ACCOUNT_ID: '42',
        KDRIVE_ID: '9',
        ARRIVAL_POLL_INTERVAL: '30',
        INFOMANIAK_API_URL: 'http://proxy.test/',
      }).kchat,
    ).toMatchObject({ apiUrl: 'http://proxy.test', kdriveId: 9, arrivalPollSeconds: 30 });
    expect(loadConfig(chat).kchat).toBeUndefined();
  });

  it('name what is missing or wrong', () => {
    expect(() => loadConfig({ ...chat, INFOMANIAK_API_TOKEN: 't' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...chat, INFOMANIAK_API_TOKEN: 't' })).toThrow(
      /INFOMANIAK_ACCOUNT_ID: is required when INFOMANIAK_API_TOKEN is set/,
    );
    expect(() => loadConfig({ INFOMANIAK_API_TOKEN: 't', INFOMANIAK_ACCOUNT_ID: '42' })).toThrow(
      /MATTERMOST_URL: is required when INFOMANIAK_API_TOKEN is set/,
    );
    expect(() => loadConfig({ ...chat, INFOMANIAK_API_TOKEN: 't', INFOMANIAK_ACCOUNT_ID: 'acme' })).toThrow(
      /INFOMANIAK_ACCOUNT_ID: the numeric id/,
    );
    expect(() =>
      loadConfig({ ...chat, INFOMANIAK_API_TOKEN: 't', INFOMANIAK_ACCOUNT_ID: '42', KDRIVE_ID: 'x' }),
    ).toThrow(/KDRIVE_ID/);
    expect(() =>
      loadConfig({ ...chat, INFOMANIAK_API_TOKEN: 't', INFOMANIAK_ACCOUNT_ID: '42', ARRIVAL_POLL_INTERVAL: '1' }),
    ).toThrow(/ARRIVAL_POLL_INTERVAL/);
  });
});
