/** The wizard's drafts: what a person typed between the steps of one form, kept until it is submitted or expires.
 * Not invitations (no audit, no jobs), but stored all the same, so written here like every other change. */
import type { WhoValues } from '../core/wizard.js';
import type { Draft, Store } from '../store/store.js';

export async function openDraft(deps: { store: Store }, draft: Draft): Promise<Draft> {
  await deps.store.putDraft(draft);
  return draft;
}

export async function saveFirstStep(deps: { store: Store }, draft: Draft, values: WhoValues): Promise<void> {
  await deps.store.putDraft({ ...draft, values });
}

export async function closeDraft(deps: { store: Store }, draftId: string): Promise<void> {
  await deps.store.deleteDraft(draftId);
}
