/** Dates as the invitee reads them: in UTC, with the zone said, since we do not know theirs. */
const FORMAT = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZone: 'UTC',
});

export function utcDate(iso: string): string {
  return `${FORMAT.format(new Date(iso))} UTC`;
}
