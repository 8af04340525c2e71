/** Registers the bot's slash command on each of its teams at start-up (idempotently: an existing command with
 * the same trigger is updated, not duplicated) and returns the tokens of the commands it manages. */
import type { Command } from '@mattermost/types/integrations';
import { MattermostError } from './api.js';
import type { MattermostContext } from './context.js';

export async function registerCommands(ctx: MattermostContext): Promise<string[]> {
  const { api, log, settings } = ctx;
  const url = `${settings.publicUrl}/mattermost/command`;
  const tokens: string[] = [];
  const teams = await api.client.getMyTeams();
  for (const team of teams) {
    const wanted = {
      team_id: team.id,
      trigger: settings.trigger,
      method: 'P',
      url,
      display_name: 'Guestlist',
      description: 'Invite people and follow their invitation',
      auto_complete: true,
      auto_complete_desc: 'Invite people to this team (or: list, help)',
      auto_complete_hint: '[email] | list | help',
      username: 'guestlist',
    };
    try {
      const existing = (await api.client.getCustomTeamCommands(team.id)).find((c) => c.trigger === settings.trigger);
      const command = existing
        ? await api.client.editCommand({ ...existing, ...wanted } as Command)
        : await api.client.addCommand(wanted as Command);
      tokens.push(command.token);
      log.info(
        { team: team.name, trigger: `/${settings.trigger}` },
        existing ? 'slash command updated' : 'slash command registered',
      );
    } catch (err) {
      const why =
        err instanceof MattermostError && err.errorId === 'api.command.duplicate_trigger.app_error'
          ? `the trigger /${settings.trigger} is built in or taken; choose another COMMAND_TRIGGER`
          : (err as Error).message;
      log.warn(
        { team: team.name, reason: why },
        'could not register the slash command; register it by hand (README) and set MATTERMOST_COMMAND_TOKEN',
      );
    }
  }
  return tokens;
}
