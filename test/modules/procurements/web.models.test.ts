import { describe, expect, it } from 'vitest';
import { questionnaireDefinitionSchema } from '../../../src/modules/questionnaires';
import type { ProcurementDto } from '../../../src/modules/procurements/procurements.usecases';
import {
  breakableEmail,
  lifecycleTasks,
  parseClock,
  readDeadline,
  readTriageForm,
  readWeightsForm,
  triageErrors,
  weightsErrors,
  weightsTotal,
} from '../../../src/modules/procurements/web.models';
import { fromUkWallTime, ukWallTime } from '../../../src/platform/format';
import { smallDefinition } from '../questionnaires/fixtures';

const definition = questionnaireDefinitionSchema.parse(smallDefinition());

describe('UK wall time', () => {
  it.each([
    ['a winter afternoon is GMT', { year: 2026, month: 12, day: 10, hour: 17, minute: 0 }, '2026-12-10T17:00:00.000Z'],
    ['a summer afternoon is BST, an hour ahead', { year: 2027, month: 6, day: 10, hour: 17, minute: 0 }, '2027-06-10T16:00:00.000Z'],
    ['the hour the clocks skip is read as GMT', { year: 2027, month: 3, day: 28, hour: 1, minute: 30 }, '2027-03-28T01:30:00.000Z'],
    ['the hour the clocks repeat is the first (BST) one', { year: 2026, month: 10, day: 25, hour: 1, minute: 30 }, '2026-10-25T00:30:00.000Z'],
  ])('%s', (_name, wall, iso) => {
    expect(fromUkWallTime(wall)?.toISOString()).toBe(iso);
  });

  it.each([
    ['30 February', { year: 2027, month: 2, day: 30, hour: 9, minute: 0 }],
    ['month 13', { year: 2027, month: 13, day: 1, hour: 9, minute: 0 }],
    ['a two-digit year', { year: 27, month: 3, day: 1, hour: 9, minute: 0 }],
  ])('does not read %s as a date', (_name, wall) => {
    expect(fromUkWallTime(wall)).toBeNull();
  });

  it('reads a moment back as the UK calendar and clock', () => {
    expect(ukWallTime('2027-06-10T16:00:00.000Z')).toEqual({ year: 2027, month: 6, day: 10, hour: 17, minute: 0 });
  });
});

describe('the deadline as typed', () => {
  it.each([
    ['17:00', { hour: 17, minute: 0 }],
    ['9:05', { hour: 9, minute: 5 }],
    ['09.30', { hour: 9, minute: 30 }],
    ['5pm', { hour: 17, minute: 0 }],
    ['12:30am', { hour: 0, minute: 30 }],
    ['midday', { hour: 12, minute: 0 }],
    ['17', null],
    ['24:00', null],
    ['13pm', null],
    ['9:60', null],
    ['soon', null],
  ])('reads the time “%s”', (text, expected) => {
    expect(parseClock(text)).toEqual(expected);
  });

  it('turns a UK date and time into the moment, in BST when it applies', () => {
    expect(readDeadline({ day: '31', month: '3', year: '2027', time: '17:00' })).toEqual({ iso: '2027-03-31T16:00:00.000Z', errors: [] });
  });

  it.each([
    ['nothing', { day: '', month: '', year: '', time: '17:00' }, [{ href: '#deadline-day', text: 'Enter the date of the deadline', parts: ['day', 'month', 'year'] }]],
    ['no day or year', { day: '', month: '3', year: '', time: '17:00' }, [{ href: '#deadline-day', text: 'The date of the deadline must include a day and a year', parts: ['day', 'year'] }]],
    ['a two-digit year', { day: '1', month: '3', year: '27', time: '17:00' }, [{ href: '#deadline-year', text: 'The year of the deadline must include 4 numbers', parts: ['year'] }]],
    ['letters', { day: 'first', month: '3', year: '2027', time: '17:00' }, [{ href: '#deadline-day', text: 'The date of the deadline must be a real date, like 31 3 2027', parts: ['day', 'month', 'year'] }]],
    ['no time', { day: '1', month: '3', year: '2027', time: '' }, [{ href: '#deadline-time', text: 'Enter the time of the deadline, like 17:00', parts: ['time'] }]],
  ])('says what is wrong with %s', (_name, typed, errors) => {
    expect(readDeadline(typed)).toEqual({ iso: null, errors });
  });
});

describe('the triage and weights forms', () => {
  it('leaves blank questions unanswered and hands a number that does not parse to the rules as typed', () => {
    expect(readTriageForm(definition, { 'triage.personal_data': 'yes', 'triage.people': '1,500' }).triage).toEqual({ 'triage.personal_data': 'yes', 'triage.people': 1500 });
    expect(readTriageForm(definition, { 'triage.personal_data': '', 'triage.people': 'many' }).triage).toEqual({ 'triage.people': 'many' });
  });

  it('names the question a triage rule refused, in its words', () => {
    expect(triageErrors(definition, [{ path: '/body/triage/triage.people', message: 'must be at least 0' }])).toEqual([
      { href: '#triage-people', text: 'The number for “How many people?” must be at least 0' },
    ]);
  });

  it('reads each section’s weight, a stray per cent sign allowed, and totals what was typed', () => {
    const read = readWeightsForm(definition, { 'weight-a': '55%', 'weight-b': ' 40 ' });
    expect(read.weights).toEqual({ a: 55, b: 40 });
    expect(weightsTotal(read.typed)).toBe('95');
    expect(weightsTotal({ a: '55', b: 'x' })).toBeNull();
  });

  it('says the weights’ total only when each weight is itself fine', () => {
    const total = { path: '/body/weights', message: 'the weights add up to 95, not 100' };
    expect(weightsErrors(definition, [total], { a: '55', b: '40' })).toEqual([{ href: '#weight-a', text: 'The weights must add up to 100: they add up to 95' }]);
    expect(weightsErrors(definition, [total, { path: '/body/weights/b', message: 'Invalid input' }], { a: '55', b: '' })).toEqual([{ href: '#weight-b', text: 'Enter a weight for Section B' }]);
  });
});

describe('the lifecycle task list', () => {
  const procurement = (changes: Partial<ProcurementDto>): ProcurementDto => ({
    id: 'p1',
    title: 'Chatbot',
    reference: null,
    description: '',
    status: 'draft',
    questionnaire: { id: 'q1', key: 'small-test', version: '1.0.0', title: 'Small test questionnaire' },
    triage: {},
    ocdsDisclosure: 'scores',
    riskTier: 'low',
    riskTierReason: 'None.',
    weights: { a: 60, b: 40 },
    deadline: '2026-12-10T17:00:00.000Z',
    closesAt: '2026-12-10T17:00:00.000Z',
    evaluatorIds: [],
    moderatorId: null,
    version: 1,
    createdAt: '2026-11-26T12:00:00.000Z',
    updatedAt: '2026-11-26T12:00:00.000Z',
    openedAt: null,
    closedAt: null,
    decidedAt: null,
    cancelledAt: null,
    ...changes,
  });
  const statusOf = (tasks: ReturnType<typeof lifecycleTasks>) =>
    Object.fromEntries(tasks.map((t) => [t.title.text, { status: 'tag' in t.status ? t.status.tag.text : t.status.text, href: t.href ?? null }]));

  it('links a new draft’s steps for an officer, and none for a viewer', () => {
    const p = procurement({});
    const officer = statusOf(lifecycleTasks({ procurement: p, definition, facts: { suppliersInvited: 0, suppliersSubmitted: 0 }, canChange: true }));
    expect(officer['Describe the use case']).toEqual({ status: 'Not yet started', href: '/procurements/p1/triage' });
    expect(officer['Name the evaluation panel']).toEqual({ status: 'Not yet started', href: '/procurements/p1/panel' });
    expect(officer['Invite suppliers']).toEqual({ status: 'Not yet started', href: '/procurements/p1/suppliers' });
    expect(officer['Open to suppliers']).toEqual({ status: 'Not yet started', href: '/procurements/p1/open' });
    expect(officer['Close to answers']).toEqual({ status: 'Cannot start yet', href: null });
    const viewer = statusOf(lifecycleTasks({ procurement: p, definition, facts: { suppliersInvited: 0, suppliersSubmitted: 0 }, canChange: false }));
    expect(Object.values(viewer).filter((t) => t.href !== null && !t.href.endsWith('/suppliers'))).toEqual([]);
  });

  it('leaves the suppliers out for a reader who may not see their progress', () => {
    expect(statusOf(lifecycleTasks({ procurement: procurement({}), definition, facts: undefined, canChange: false }))['Invite suppliers']).toBeUndefined();
  });

  it('marks what an evaluating procurement has done, and links its results and decision', () => {
    const p = procurement({ status: 'evaluating', triage: { 'triage.personal_data': 'yes', 'triage.people': 3 }, evaluatorIds: ['u1'], moderatorId: 'u2', openedAt: '2026-11-27T09:00:00.000Z', closedAt: '2026-12-10T17:00:00.000Z' });
    const tasks = statusOf(lifecycleTasks({ procurement: p, definition, facts: { suppliersInvited: 3, suppliersSubmitted: 2 }, canChange: true }));
    expect(tasks).toMatchObject({
      'Describe the use case': { status: 'Completed', href: null },
      'Name the evaluation panel': { status: 'Completed', href: null },
      'Invite suppliers': { status: 'Completed', href: '/procurements/p1/suppliers' },
      'Open to suppliers': { status: 'Completed', href: null },
      'Close to answers': { status: 'Completed', href: null },
      'Evaluate the responses': { status: 'In progress', href: '/procurements/p1/results' },
      'Record the decision': { status: 'Not yet started', href: '/procurements/p1/decision' },
      'Download the reports': { status: 'Available', href: '/procurements/p1/reports' },
    });
  });

  it('says a cancelled procurement’s unfinished steps were cancelled', () => {
    const tasks = statusOf(lifecycleTasks({ procurement: procurement({ status: 'cancelled', cancelledAt: '2026-11-27T09:00:00.000Z' }), definition, facts: undefined, canChange: true }));
    expect(tasks['Open to suppliers']).toEqual({ status: 'Cancelled', href: null });
    expect(tasks['Describe the use case']).toEqual({ status: 'Cancelled', href: null });
  });
});

describe('the panel’s choices', () => {
  it('lets an email address break on a narrow screen, and escapes it', () => {
    expect(breakableEmail('eve.o"neil@example.gov.uk')).toBe('eve<wbr>.o&#34;neil@<wbr>example<wbr>.gov<wbr>.uk');
  });
});
