/** Phone numbers as the SMS gateway needs them. */

/** E.164: a plus, a country code not starting with 0, at most 15 digits in all (7 at least, in practice). */
const E164 = /^\+[1-9]\d{6,14}$/;

export function isE164(phone: string): boolean {
  return E164.test(phone);
}

/** What a person typed (`+41 79 123 45 67`, `0041-79-…`, `(555) …` with its +) as E.164, or undefined. National
 * numbers without a country code are refused: we cannot guess the country. */
export function normalizePhone(input: string): string | undefined {
  const compact = input
    .trim()
    .replace(/[\s().\-\u00a0]/g, '')
    .replace(/^00/, '+');
  return isE164(compact) ? compact : undefined;
}
