import type { FieldProblem } from '../../platform/errors';
import { checkAnswerValue, type SupplierSection } from './responses.models';

/**
 * The bid team's pure rules and words: what makes a colleague's details acceptable, and who has
 * which section, as the lead's pages show it.
 */

export const MAX_NAME = 100;
export const MAX_EMAIL = 254;

type Member = { name: string; email: string; sections: string[]; revokedAt: Date | string | null };

/**
 * A colleague's name, email and sections, cleaned, or every problem with them (GOV.UK words, each
 * on its field's path). Sections must be ones the lead can see now; an email already in the team
 * is refused, so one person never holds two live links.
 */
export function teamMemberProblems({ name, email, sections, visible, team }: { name: string; email: string; sections: string[]; visible: SupplierSection[]; team: Member[] }):
  | { member: { name: string; email: string; sections: string[] } }
  | { problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const cleanName = name.trim().replace(/\s+/g, ' ');
  const cleanEmail = email.trim().toLowerCase();
  if (!cleanName) problems.push({ path: '/body/name', message: 'Enter your colleague’s name' });
  else if (cleanName.length > MAX_NAME) problems.push({ path: '/body/name', message: `Name must be ${MAX_NAME} characters or fewer` });
  if (!cleanEmail) problems.push({ path: '/body/email', message: 'Enter your colleague’s email address' });
  else if (cleanEmail.length > MAX_EMAIL || checkAnswerValue({ text: 'Email address', type: 'email' }, cleanEmail) !== null)
    problems.push({ path: '/body/email', message: 'Enter an email address in the correct format, like name@example.com' });
  else {
    const existing = team.find((m) => !m.revokedAt && m.email === cleanEmail);
    if (existing) problems.push({ path: '/body/email', message: `${existing.name} already has a link for this email address; remove them first to change their sections` });
  }
  const chosen = [...new Set(sections)];
  const keys = new Set(visible.map((s) => s.key));
  if (chosen.length === 0) problems.push({ path: '/body/sections', message: 'Select at least one section for your colleague to answer' });
  for (const key of chosen.filter((k) => !keys.has(k))) problems.push({ path: '/body/sections', message: 'Select sections from the list', code: key });
  if (problems.length > 0) return { problems };
  // Kept in the questionnaire's order, whatever order they were posted in.
  return { member: { name: cleanName, email: cleanEmail, sections: visible.map((s) => s.key).filter((k) => chosen.includes(k)) } };
}

/** The names of the live colleagues who have each section, keyed by section. */
export function assigneesBySection(team: Member[]): Map<string, string[]> {
  const bySection = new Map<string, string[]>();
  for (const member of team.filter((m) => !m.revokedAt)) {
    for (const key of member.sections) bySection.set(key, [...(bySection.get(key) ?? []), member.name]);
  }
  return bySection;
}

/** "Jo Bloggs", "Jo Bloggs and Sam Patel", "Jo Bloggs, Sam Patel and Ali Khan". */
export function namesList(names: string[]): string {
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]!}`;
}
