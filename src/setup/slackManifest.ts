/** The repository's Slack app manifest (manifest.yml) filled in for this deployment: its example address replaced
 * with PUBLIC_URL and its command with COMMAND_TRIGGER, and the link that opens Slack's "create an app from a
 * manifest" with it. The comments at its top (what to replace) are dropped, since that is done. */

const EXAMPLE_URL = 'https://guestlist.example.com';
const EXAMPLE_COMMAND = '/invite-people';

export function fillManifest(template: string, publicUrl: string, trigger: string): string {
  const lines = template.split('\n');
  while (lines.length && lines[0]!.startsWith('#')) lines.shift();
  return lines
    .join('\n')
    .replaceAll(EXAMPLE_URL, publicUrl.replace(/\/+$/, ''))
    .replace(`command: ${EXAMPLE_COMMAND}\n`, `command: /${trigger}\n`);
}

/** Slack's own page, with the manifest in its query (documented at docs.slack.dev, "app manifests"). */
export function createAppUrl(manifest: string): string {
  // encodeURIComponent leaves ' ( ) ! * as they are: encoded too, so the link survives any quoting around it.
  const query = encodeURIComponent(manifest).replace(
    /['()!*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `https://api.slack.com/apps?new_app=1&manifest_yaml=${query}`;
}
