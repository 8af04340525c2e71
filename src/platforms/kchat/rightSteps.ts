/** The rights an invitation gets after it exists, one outbox job per step so that a step that fails is retried
 * on its own (the invitation is never created twice) and shows until it succeeds. Order matters: kSuite access
 * sets the kChat and kDrive roles (and opens the kSuite's drive), and a drive's right needs the drive opened. */
import { z } from 'zod';
import type { NewJob } from '../../actions/jobs.js';
import { JOB, jobFor } from '../../actions/jobs.js';
import type { Invitation, Role } from '../../core/model.js';
import type { AppRole } from './infomaniakApi.js';

export const RIGHT_STEPS = ['ksuite', 'drive', 'drive-right', 'drive-external', 'drive-resend'] as const;
export type RightStep = (typeof RIGHT_STEPS)[number];

export const STEP_LABELS: Record<RightStep, string> = {
  ksuite: 'kSuite access',
  drive: 'kDrive access',
  'drive-right': 'kDrive permission',
  'drive-external': 'kDrive invitation',
  'drive-resend': 'kDrive invitation sent again',
};

/** A grant-right job's payload, with the step narrowed to these. */
export const RightStepPayload = z.object({ step: z.enum(RIGHT_STEPS) });

export function isRightStep(value: unknown): value is RightStep {
  return (RIGHT_STEPS as readonly unknown[]).includes(value);
}

/** kChat and kDrive roles: administrators of the organization administer its apps too. */
export function appRole(role: Role): AppRole {
  return role === 'collaborator' || role === 'external' ? 'user' : 'admin';
}

/** The steps to run once the invitation was delivered. */
export function firstSteps(inv: Invitation, kdriveId: number | undefined): RightStep[] {
  if (inv.role === 'external') return kdriveId && inv.kdriveRight !== 'none' ? ['drive-external'] : [];
  return ['ksuite'];
}

/** The steps a finished step unlocks. The drive gets the chosen right even when it is `none` (a drive user
 * without access to the shared folders), since an organization member is a user of the organization's drive. */
export function nextSteps(step: RightStep, kdriveId: number | undefined): RightStep[] {
  if (step === 'ksuite') return kdriveId ? ['drive'] : [];
  if (step === 'drive') return ['drive-right'];
  return [];
}

/** `key` tells apart steps that may run more than once (a kDrive invitation sent again). */
export function rightJob(inv: Invitation, step: RightStep, key = ''): NewJob {
  return jobFor(inv, JOB.grantRight, { step }, key ? `${step}:${key}` : step);
}
