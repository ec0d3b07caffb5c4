import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SupplierPrincipal } from '../../platform/auth';
import type { Db } from '../../platform/db';
import { isAppError, type AppError } from '../../platform/errors';
import { page } from '../../platform/web';
import { assigneesBySection, namesList } from './team.models';
import { addTeamMember, listTeam, revokeTeamMember, type TeamMemberDto } from './team.usecases';
import type { FormBody } from './web.models';
import { sectionTitle, type WebCtx, type WebDeps } from './web.context';

/** The lead's bid team: who has which section, adding a colleague, removing one. */

export const TEAM_HREF = '/respond/team';

/** What the task list shows of the team: for the lead, who has each section; for a colleague, nothing to manage. */
export async function taskListTeam({ db, principal }: { db: Db; principal: SupplierPrincipal }): Promise<{ lead: boolean; colleagues: number; assignees: Map<string, string[]> }> {
  if (principal.teamMember) return { lead: false, colleagues: 0, assignees: new Map() };
  const team = (await listTeam({ db, principal })).filter((m) => !m.revokedAt);
  return { lead: true, colleagues: team.length, assignees: assigneesBySection(team) };
}

type Typed = { name: string; email: string; sections: string[] };
type Problem = { field: 'name' | 'email' | 'sections'; text: string };

const asList = (value: unknown): string[] => (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string' && v !== '');
const text = (value: string | string[] | undefined) => (typeof value === 'string' ? value : '').slice(0, 1000);

export function registerTeamPages(web: FastifyInstance, deps: WebDeps): void {
  const { database, now, mailer, config } = deps;
  const db = database.db;
  const { load, csrfOk, forbidden, common } = deps.web;

  const render = async (
    request: FastifyRequest,
    reply: FastifyReply,
    ctx: WebCtx,
    { notice = null, typed = null, problems = [], status = 200 }: { notice?: string | null; typed?: Typed | null; problems?: Problem[]; status?: number } = {},
  ) => {
    const team = (await listTeam({ db, principal: ctx.session.principal })).filter((m) => !m.revokedAt);
    const assignees = assigneesBySection(team);
    const titleOf = new Map(ctx.view.sections.map((s) => [s.key, sectionTitle(s)]));
    const errorOf = (field: Problem['field']) => {
      const found = problems.find((p) => p.field === field);
      return found ? { text: found.text } : undefined;
    };
    return page(
      request,
      reply,
      'respond/team.njk',
      {
        ...common(ctx),
        title: 'Your bid team',
        backLink: { href: '/respond', text: 'Back to your questionnaire' },
        readOnly: ctx.readOnly,
        notice: notice ? { type: 'success', text: notice } : null,
        errors: problems.map((p) => ({ href: p.field === 'sections' ? `#sections` : `#${p.field}`, text: p.text })),
        members: team.map((m: TeamMemberDto) => ({ id: m.id, name: m.name, email: m.email, sections: m.sections.map((key) => titleOf.get(key) ?? key) })),
        bySection: ctx.view.sections.map((s) => ({ key: { text: sectionTitle(s) }, value: { text: assignees.has(s.key) ? namesList(assignees.get(s.key)!) : 'You' } })),
        form: {
          name: typed?.name ?? '',
          email: typed?.email ?? '',
          sections: ctx.view.sections.map((s) => ({ value: s.key, text: sectionTitle(s), checked: typed?.sections.includes(s.key) ?? false })),
          nameError: errorOf('name'),
          emailError: errorOf('email'),
          sectionsError: errorOf('sections'),
        },
      },
      status,
    );
  };

  /** The team pages are the lead's: a colleague is sent back to its questionnaire. */
  const leadCtx = async (request: FastifyRequest, reply: FastifyReply): Promise<WebCtx | null> => {
    const ctx = await load(request, reply);
    if (!ctx) return null;
    if (ctx.session.principal.teamMember) {
      await page(request, reply, 'respond/problem.njk', { ...common(ctx), title: 'Only the lead supplier can manage the bid team', text: 'The person who added you to the bid team adds and removes colleagues, and submits the response.', backLink: { href: '/respond', text: 'Back to your questionnaire' } }, 403);
      return null;
    }
    return ctx;
  };

  web.get<{ Querystring: { added?: string; removed?: string } }>(TEAM_HREF, { config: { access: 'public' } }, async (request, reply) => {
    const ctx = await leadCtx(request, reply);
    if (!ctx) return reply;
    // The banner names the colleague by its id in the address (not a secret), read back from the team.
    const named = request.query.added ?? request.query.removed;
    const member = named ? (await listTeam({ db, principal: ctx.session.principal })).find((m) => m.id === named) : undefined;
    const notice = !member
      ? null
      : request.query.added
        ? `${member.name} has been added to your bid team. We have emailed them a link to answer their sections.`
        : `${member.name} has been removed from your bid team. Their link no longer works.`;
    return render(request, reply, ctx, { notice });
  });

  web.post<{ Body: FormBody }>(TEAM_HREF, { config: { access: 'public' } }, async (request, reply) => {
    const ctx = await leadCtx(request, reply);
    if (!ctx) return reply;
    const body = (request.body ?? {}) as FormBody;
    if (!csrfOk(ctx, body._csrf)) return forbidden(request, reply, ctx);
    const typed: Typed = { name: text(body.name), email: text(body.email), sections: asList(body.sections).slice(0, 100) };
    if (ctx.readOnly) return reply.redirect(TEAM_HREF, 303);
    try {
      const member = await addTeamMember({ db, now: now(), principal: ctx.session.principal, mailer, publicBaseUrl: config.publicBaseUrl, ...typed });
      return reply.redirect(`${TEAM_HREF}?added=${member.id}`, 303);
    } catch (error) {
      if (!isAppError(error)) throw error;
      const e = error as AppError;
      if (e.code !== 'responses.invalid_team_member') return reply.redirect(TEAM_HREF, 303);
      const problems = (e.errors ?? []).map((p) => ({ field: p.path.replace('/body/', '') as Problem['field'], text: p.message }));
      // One message per field, the first found, as GOV.UK error messages go.
      const unique = problems.filter((p, i) => problems.findIndex((q) => q.field === p.field) === i);
      return render(request, reply, ctx, { typed, problems: unique, status: 400 });
    }
  });

  web.post<{ Params: { id: string }; Body: FormBody }>(`${TEAM_HREF}/:id/remove`, { config: { access: 'public' } }, async (request, reply) => {
    const ctx = await leadCtx(request, reply);
    if (!ctx) return reply;
    const body = (request.body ?? {}) as FormBody;
    if (!csrfOk(ctx, body._csrf)) return forbidden(request, reply, ctx);
    try {
      const member = await revokeTeamMember({ db, now: now(), principal: ctx.session.principal, id: request.params.id });
      return reply.redirect(`${TEAM_HREF}?removed=${member.id}`, 303);
    } catch (error) {
      if (!isAppError(error) || (error as AppError).status !== 404) throw error;
      return page(request, reply, 'respond/problem.njk', { ...common(ctx), title: 'Page not found', text: 'There is no such colleague in your bid team.', backLink: { href: TEAM_HREF, text: 'Back to your bid team' } }, 404);
    }
  });
}
