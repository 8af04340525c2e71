/** Infomaniak wants a first and a last name; invitations carry one name (or the address's local part). */
export function splitName(name: string, email: string): { firstName: string; lastName: string } {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const parts = words.length > 1 ? words : (words[0] ?? email.split('@')[0] ?? email).split(/[._-]+/).filter(Boolean);
  if (parts.length < 2) {
    // Both are required: a one-word name is used for both; the invitee can correct it when registering.
    const only = capitalize(parts[0] ?? email);
    return { firstName: only, lastName: only };
  }
  const fromAddress = words.length <= 1;
  const fix = (s: string) => (fromAddress ? capitalize(s) : s);
  return { firstName: fix(parts.slice(0, -1).join(' ')), lastName: fix(parts[parts.length - 1]!) };
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
