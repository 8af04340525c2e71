/** Slack's documented size limits for Block Kit, as the fake enforces them: a view or message Slack would refuse
 * (`invalid_arguments`) is refused here too, with what is wrong. Limits from api.slack.com/reference/block-kit. */

type Block = Record<string, any>;

const text = (t: any) => (typeof t === 'string' ? t : typeof t?.text === 'string' ? t.text : '');

function elementProblems(el: Block, at: string): string[] {
  const problems: string[] = [];
  const over = (what: string, value: string, max: number) =>
    value.length > max && problems.push(`${at}.${what} longer than ${max}`);
  if (el.action_id !== undefined) over('action_id', String(el.action_id), 255);
  if (el.type === 'button') {
    over('text', text(el.text), 75);
    if (el.value !== undefined) over('value', String(el.value), 2000);
  }
  if (el.type === 'plain_text_input' && el.max_length > 3000) problems.push(`${at}.max_length above 3000`);
  if (el.placeholder) over('placeholder', text(el.placeholder), 150);
  const options: Block[] = el.options ?? [];
  if (options.length > 100) problems.push(`${at} has more than 100 options`);
  options.forEach((o, i) => {
    over(`options[${i}].text`, text(o.text), 75);
    over(`options[${i}].value`, String(o.value ?? ''), 150);
  });
  return problems;
}

export function blockProblems(blocks: Block[], maxBlocks: number): string[] {
  const problems: string[] = [];
  if (blocks.length > maxBlocks) problems.push(`more than ${maxBlocks} blocks (${blocks.length})`);
  blocks.forEach((b, i) => {
    const at = `blocks[${i}]`;
    if (b.block_id !== undefined && String(b.block_id).length > 255) problems.push(`${at}.block_id longer than 255`);
    if (b.type === 'section' && text(b.text).length > 3000) problems.push(`${at}.text longer than 3000`);
    if (b.type === 'header' && text(b.text).length > 150) problems.push(`${at}.text longer than 150`);
    if (b.type === 'input' && text(b.label).length > 2000) problems.push(`${at}.label longer than 2000`);
    if (b.type === 'input' && b.hint && text(b.hint).length > 2000) problems.push(`${at}.hint longer than 2000`);
    if (b.type === 'actions' && (b.elements ?? []).length > 25) problems.push(`${at} has more than 25 elements`);
    if (b.type === 'context' && (b.elements ?? []).length > 10) problems.push(`${at} has more than 10 elements`);
    for (const [j, el] of [
      ...(b.elements ?? []),
      ...(b.element ? [b.element] : []),
      ...(b.accessory ? [b.accessory] : []),
    ].entries()) {
      problems.push(...elementProblems(el, `${at}.element${j}`));
    }
  });
  return problems;
}

/** A modal as views.open, views.update and response_action update/push take it. */
export function viewProblems(view: Block): string[] {
  const problems = blockProblems(view?.blocks ?? [], 100);
  for (const key of ['title', 'submit', 'close'] as const) {
    if (view?.[key] && text(view[key]).length > 24) problems.push(`${key} longer than 24`);
  }
  if (!view?.title) problems.push('title is required');
  if (String(view?.private_metadata ?? '').length > 3000) problems.push('private_metadata longer than 3000');
  if (String(view?.callback_id ?? '').length > 255) problems.push('callback_id longer than 255');
  return problems;
}
