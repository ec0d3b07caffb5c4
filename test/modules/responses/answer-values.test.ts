import { describe, expect, it } from 'vitest';
import { checkAnswerValue } from '../../../src/modules/responses/responses.models';

const choice = { text: 'Q', type: 'single_choice', options: [{ value: 'never' }, { value: 'opt_in' }] };
const yesNo = { text: 'Q', type: 'yes_no', options: [{ value: 'yes' }, { value: 'no' }] };
const multi = { text: 'Q', type: 'multi_choice', options: [{ value: 'a' }, { value: 'b' }, { value: 'c' }], limits: { maxSelections: 2 } };
const number = { text: 'Q', type: 'number', limits: { min: 0, max: 720, integer: true } };
const longText = { text: 'Q', type: 'long_text', limits: { maxLength: 10 } };

describe('answer values by question type', () => {
  it.each<[string, object, unknown, RegExp | null]>([
    ['a listed option', choice, 'never', null],
    ['an option that does not exist', choice, 'sometimes', /Select one of: never, opt_in/],
    ['a number for a choice', choice, 3, /Select one of/],
    ['yes', yesNo, 'yes', null],
    ['true instead of "yes"', yesNo, true, /Select one of: yes, no/],
    ['two of three options', multi, ['a', 'c'], null],
    ['more options than allowed', multi, ['a', 'b', 'c'], /Select 2 options or fewer/],
    ['an unknown option among known ones', multi, ['a', 'z'], /z is not an option/],
    ['no options at all', multi, [], /Select at least one option/],
    ['the same option twice', multi, ['a', 'a'], /Select each option once/],
    ['a number in range', number, 24, null],
    ['a number below the minimum', number, -1, /0 or more/],
    ['a number above the maximum', number, 721, /720 or less/],
    ['a fraction where a whole number is needed', number, 1.5, /whole number/],
    ['a number written as text', number, '24', /Enter a number/],
    ['text within the limit', longText, 'Ten chars.', null],
    ['text over the limit', longText, 'Eleven char', /10 characters or fewer/],
    ['only spaces', longText, '   ', /Enter an answer/],
    ['a real date', { text: 'Q', type: 'date' }, '2026-02-28', null],
    ['a date that does not exist', { text: 'Q', type: 'date' }, '2026-02-30', /real date/],
    ['a date in another format', { text: 'Q', type: 'date' }, '28/02/2026', /YYYY-MM-DD/],
    ['an https address', { text: 'Q', type: 'url', limits: { maxLength: 500 } }, 'https://example.com/policy', null],
    ['a javascript: address', { text: 'Q', type: 'url' }, 'javascript:alert(1)', /https:\/\//],
    ['not an address', { text: 'Q', type: 'url' }, 'example dot com', /https:\/\//],
    ['an email address', { text: 'Q', type: 'email' }, 'bids@example.com', null],
    ['a malformed email address', { text: 'Q', type: 'email' }, 'bids at example', /correct format/],
    ['a typed answer to an evidence-only question', { text: 'Q', type: 'file' }, 'see attached', /upload/],
  ])('%s', (_name, question, value, expected) => {
    const message = checkAnswerValue(question as Parameters<typeof checkAnswerValue>[0], value);
    if (expected === null) expect(message).toBeNull();
    else expect(message).toMatch(expected);
  });
});
