/** The bot token scopes each Web API method the adapter calls needs, and the events it listens to: the manifest
 * (manifest.yml) must grant all of them, which a test checks. */
export const METHOD_SCOPES: Record<string, readonly string[]> = {
  'auth.test': [],
  'views.open': [],
  'users.info': ['users:read', 'users:read.email'],
  'users.list': ['users:read'],
  'users.lookupByEmail': ['users:read.email'],
  'users.conversations': ['channels:read', 'groups:read'],
  'conversations.info': ['channels:read', 'groups:read'],
  'conversations.open': ['im:write'],
  'conversations.invite': ['channels:manage', 'groups:write'],
  /** A guest's access ending outside Enterprise Grid: out of the channels the bot added. */
  'conversations.kick': ['channels:manage', 'groups:write'],
  'chat.postMessage': ['chat:write'],
  'chat.update': ['chat:write'],
};

/** The slash command itself. */
export const COMMAND_SCOPE = 'commands';

export const EVENT_SCOPES = {
  team_join: ['users:read'],
  member_joined_channel: ['channels:read', 'groups:read'],
  /** A sponsor deactivated (`deleted`): their guests are offered to the admins. */
  user_change: ['users:read'],
  /** What someone writes to the bot in its direct messages: a newcomer's reply goes to their sponsor. */
  'message.im': ['im:history'],
} as const satisfies Record<string, readonly string[]>;

export type SlackEvent = keyof typeof EVENT_SCOPES;
