/** What Infomaniak's error codes mean, in the reference's own words, for an answer that carries no
 * `description`: the inviter reads these in their notice, so a bare code is never all they get. */
const WORDS: Record<string, string> = {
  not_authorized: 'the API token is not authorized for this',
  access_denied: 'the API token has no access to this',
  object_not_found: 'it no longer exists on Infomaniak',
  cannot_delete_object: 'it cannot be deleted (already accepted, or gone)',
  cannot_update_object: 'it cannot be updated',
  object_already_exists: 'it exists already',
  product_is_part_of_ksuite: 'this drive is part of the kSuite',
  drive_user_quota_reached: 'the drive has no user left in its quota',
  ksuite_quota_reached: 'the kSuite has no user left in its quota',
  ksuite_drive_quota_reached: 'the kSuite’s drive has reached its quota',
  ksuite_not_found_for_account: 'the organization has no kSuite',
  drive_is_in_maintenance_error: 'the drive is in maintenance',
  one_email_or_user_at_least_required: 'no address was given',
  unexpected_error: 'something unexpected happened on Infomaniak’s side',
  too_many_requests: 'too many requests; it will be tried again',
};

export interface ErrorDetail {
  code?: string;
  description?: string;
}

/** `description`, else the code's meaning; then each entry of `errors[]`. */
export function errorInWords(
  code: string,
  description: string | undefined,
  details: readonly ErrorDetail[] = [],
): string {
  const main = description?.trim() || WORDS[code] || 'no reason given';
  const more = details.map((d) => d.description?.trim() || (d.code && (WORDS[d.code] ?? d.code))).filter(Boolean);
  return more.length ? `${main} (${more.join('; ')})` : main;
}
