/** Answers to a slash command or a button click that only the user sees. */
export function ephemeral(text: string): { response_type: 'ephemeral'; text: string } {
  return { response_type: 'ephemeral', text };
}
