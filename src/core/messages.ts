/** Every sentence a user reads, as functions with typed parameters: one index over src/core/messages/. Values
 * shown to users go through the caller's TextFormat. Nothing outside this module words a user-facing text. */
export * from './messages/bulk.js';
export * from './messages/forwarding.js';
export * from './messages/guests.js';
export * from './messages/invitation.js';
export * from './messages/kchat.js';
export * from './messages/list.js';
export * from './messages/pages.js';
export * from './messages/refusals.js';
export * from './messages/replies.js';
export * from './messages/story.js';
export * from './messages/welcome.js';
export * from './messages/wizard.js';
