/** The organization's words in tests: English, in UTC, as a deployment with the defaults has them. */
import { mattermostMarkdown, slackMrkdwn, type TextFormat } from '../../src/core/format.js';
import { Locales } from '../../src/core/i18n.js';
import { writer } from '../../src/core/writer.js';

export const locales = new Locales('en', 'UTC');
export const en = locales.org;
export const markdownIn = (format: TextFormat = mattermostMarkdown, tag?: string) => writer(format, locales.for(tag));
export const md = markdownIn(mattermostMarkdown);
export const mrkdwn = markdownIn(slackMrkdwn);
