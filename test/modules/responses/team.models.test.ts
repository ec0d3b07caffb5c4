import { describe, expect, it } from 'vitest';
import type { SupplierSection } from '../../../src/modules/responses/responses.models';
import { assigneesBySection, namesList, teamMemberProblems } from '../../../src/modules/responses/team.models';
import { taskList } from '../../../src/modules/responses/web.models';

const section = (key: string, title: string): SupplierSection => ({
  key,
  ref: null,
  title,
  description: null,
  questions: [{ key: `${key}.q`, ref: null, text: 'Q?', guidance: '', type: 'short_text', required: true, options: null, limits: null, evidence: null }],
});
const visible = [section('data', 'Data protection'), section('security', 'Security'), section('contract', 'Contract')];
const jo = { name: 'Jo Bloggs', email: 'jo@acme.example', sections: ['data'], revokedAt: null };

describe('a bid-team colleague’s details', () => {
  it.each([
    ['a name, an email and a visible section are accepted, tidied', { name: '  Sam   Patel ', email: ' Sam@Acme.Example ', sections: ['security'] }, { member: { name: 'Sam Patel', email: 'sam@acme.example', sections: ['security'] } }],
    ['sections are kept once each, in the questionnaire’s order', { name: 'Sam', email: 'sam@acme.example', sections: ['contract', 'data', 'contract'] }, { member: { name: 'Sam', email: 'sam@acme.example', sections: ['data', 'contract'] } }],
    [
      'nothing entered is three problems, one per field',
      { name: ' ', email: '', sections: [] },
      {
        problems: [
          { path: '/body/name', message: 'Enter your colleague’s name' },
          { path: '/body/email', message: 'Enter your colleague’s email address' },
          { path: '/body/sections', message: 'Select at least one section for your colleague to answer' },
        ],
      },
    ],
    ['an email without an @ is refused', { name: 'Sam', email: 'sam at acme', sections: ['data'] }, { problems: [{ path: '/body/email', message: 'Enter an email address in the correct format, like name@example.com' }] }],
    ['a name over 100 characters is refused', { name: 'x'.repeat(101), email: 'sam@acme.example', sections: ['data'] }, { problems: [{ path: '/body/name', message: 'Name must be 100 characters or fewer' }] }],
    ['a section the lead cannot see is refused', { name: 'Sam', email: 'sam@acme.example', sections: ['social_care'] }, { problems: [{ path: '/body/sections', message: 'Select sections from the list', code: 'social_care' }] }],
    [
      'an email already in the team is refused, whatever its case',
      { name: 'Joanna', email: 'JO@acme.example', sections: ['security'] },
      { problems: [{ path: '/body/email', message: 'Jo Bloggs already has a link for this email address; remove them first to change their sections' }] },
    ],
  ])('%s', (_name, input, expected) => {
    expect(teamMemberProblems({ ...input, visible, team: [jo] })).toEqual(expected);
  });

  it('accepts the email of a colleague who was removed', () => {
    expect(teamMemberProblems({ name: 'Jo Bloggs', email: 'jo@acme.example', sections: ['data'], visible, team: [{ ...jo, revokedAt: new Date() }] })).toHaveProperty('member');
  });
});

describe('who has each section', () => {
  const team = [jo, { name: 'Sam Patel', email: 's@a.example', sections: ['data', 'security'], revokedAt: null }, { name: 'Ali Khan', email: 'a@a.example', sections: ['contract'], revokedAt: '2026-11-27T10:00:00.000Z' }];

  it('lists the live colleagues of each section, leaving out removed ones', () => {
    expect(assigneesBySection(team)).toEqual(new Map([['data', ['Jo Bloggs', 'Sam Patel']], ['security', ['Sam Patel']]]));
  });

  it.each([
    [[], ''],
    [['Jo Bloggs'], 'Jo Bloggs'],
    [['Jo Bloggs', 'Sam Patel'], 'Jo Bloggs and Sam Patel'],
    [['Jo Bloggs', 'Sam Patel', 'Ali Khan'], 'Jo Bloggs, Sam Patel and Ali Khan'],
  ])('names %j as "%s"', (names, expected) => {
    expect(namesList(names)).toBe(expected);
  });

  it('shows the lead on its task list who each section is assigned to, and nothing for a section it kept', () => {
    const sections = taskList({ sections: visible, answers: {}, evidence: [], missing: [], assignees: assigneesBySection(team) });
    expect(sections.map((s) => [s.key, s.assignedTo])).toEqual([
      ['data', 'Jo Bloggs and Sam Patel'],
      ['security', 'Sam Patel'],
      ['contract', null],
    ]);
  });
});
