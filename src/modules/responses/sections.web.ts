import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isAppError, type AppError } from '../../platform/errors';
import { page } from '../../platform/web';
import * as answersUsecases from './answers.usecases';
import * as clarificationsUsecases from './clarifications.usecases';
import type { SupplierQuestion, SupplierSection } from './responses.models';
import { getSupplierResponse, type SupplierResponseView } from './responses.usecases';
import { closesIn, fieldErrors, fieldNames, readSectionForm, sectionLayout, taskList, type FieldError, type FormBody, type Typed } from './web.models';
import { evidenceHref, questionTitle, sectionHref, summaryRows, withQuestion, type WebCtx, type WebDeps } from './web.context';

/** The task list and each section's page of questions: reading what was saved, saving what was typed. */

function fieldFor({ q, view, typed, errors, sectionKey }: { q: SupplierQuestion; view: SupplierResponseView; typed: Typed | null; errors: FieldError[]; sectionKey: string }) {
  const saved = view.answers[q.key];
  const entered = typed?.[q.key];
  const current = entered ? entered.value : saved?.value;
  const names = fieldNames(q.key);
  const label = questionTitle(q) + (q.required ? '' : ' (optional)');
  const hint = q.guidance ? { text: q.guidance } : undefined;
  // An error on the value itself (the reason field has its own).
  const valueError = errors.find((e) => e.key === q.key && e.href !== `#${names.reason}`);
  const reasonError = errors.find((e) => e.key === q.key && e.href === `#${names.reason}`);
  const errorMessage = valueError ? { text: valueError.text } : undefined;
  const legend = { text: label, classes: 'govuk-fieldset__legend--s' };
  const files = view.evidence.filter((e) => e.questionKey === q.key);
  const evidence = q.type === 'file' || q.evidence?.requested ? { files, href: evidenceHref(sectionKey, q.key), mandatory: q.type === 'file' ? q.required : Boolean(q.evidence?.mandatory) } : null;
  const confidential =
    q.type === 'file'
      ? null
      : {
          name: names.confidential,
          label: withQuestion('This answer is commercially confidential', label),
          checked: entered ? entered.confidential : Boolean(saved?.confidential),
          reason: {
            id: names.reason,
            name: names.reason,
            label: { html: withQuestion('Why is this answer commercially confidential?', label) },
            value: entered ? entered.reason : (saved?.confidentialReason ?? ''),
            errorMessage: reasonError ? { text: reasonError.text } : undefined,
          },
        };
  const base = { key: q.key, label, hint: q.guidance, evidence, confidential };
  const options = q.options ?? [];
  switch (q.type) {
    case 'yes_no':
    case 'single_choice':
      return { ...base, component: 'radios', params: { name: names.value, idPrefix: q.key, fieldset: { legend }, hint, errorMessage, items: options.map((o) => ({ value: o.value, text: o.label, checked: current === o.value })) } };
    case 'multi_choice': {
      const chosen = Array.isArray(current) ? current : [];
      return { ...base, component: 'checkboxes', params: { name: names.value, idPrefix: q.key, fieldset: { legend }, hint, errorMessage, items: options.map((o) => ({ value: o.value, text: o.label, checked: chosen.includes(o.value) })) } };
    }
    case 'long_text': {
      const maxlength = typeof q.limits?.maxLength === 'number' ? q.limits.maxLength : undefined;
      const params = { id: q.key, name: names.value, label: { text: label, classes: 'govuk-label--s' }, hint, errorMessage, value: typeof current === 'string' ? current : '', rows: 6 };
      return maxlength ? { ...base, component: 'characterCount', params: { ...params, maxlength } } : { ...base, component: 'textarea', params };
    }
    case 'date': {
      const [year, month, day] = typeof saved?.value === 'string' ? saved.value.split('-') : ['', '', ''];
      const part = (name: 'day' | 'month' | 'year', value: string | undefined, width: number) => ({ name, value: value ?? '', classes: `govuk-input--width-${width}${errorMessage ? ' govuk-input--error' : ''}` });
      return {
        ...base,
        component: 'dateInput',
        params: {
          id: q.key,
          namePrefix: q.key,
          fieldset: { legend },
          hint: { text: `${q.guidance ? `${q.guidance} ` : ''}For example, 27 3 2027` },
          errorMessage,
          items: [part('day', entered ? entered.day : day, 2), part('month', entered ? entered.month : month, 2), part('year', entered ? entered.year : year, 4)],
        },
      };
    }
    case 'file':
      return { ...base, component: 'file', params: null };
    default: {
      const unit = typeof q.limits?.unit === 'string' ? q.limits.unit : undefined;
      const type = q.type === 'email' ? 'email' : q.type === 'url' ? 'url' : 'text';
      return {
        ...base,
        component: 'input',
        params: {
          id: q.key,
          name: names.value,
          type,
          label: { text: label, classes: 'govuk-label--s' },
          hint,
          errorMessage,
          value: current === undefined || current === null ? '' : String(current),
          spellcheck: q.type === 'short_text',
          ...(q.type === 'number' ? { inputmode: 'decimal', classes: 'govuk-input--width-10', ...(unit ? { suffix: { text: unit } } : {}) } : {}),
          ...(q.type === 'email' ? { autocomplete: 'email' } : {}),
        },
      };
    }
  }
}

export function registerSectionPages(web: FastifyInstance, deps: WebDeps): void {
  const { database, now } = deps;
  const db = database.db;
  const { load, csrfOk, forbidden, common, sectionOf } = deps.web;
  web.get('/respond', { config: { access: 'public' } }, async (request, reply) => {
    const ctx = await load(request, reply);
    if (!ctx) return reply;
    const sections = taskList({ sections: ctx.view.sections, answers: ctx.view.answers, evidence: ctx.view.evidence, missing: ctx.view.missing });
    const deadline = ctx.view.procurement.deadline;
    const clarifications = await clarificationsUsecases.listOwnClarifications({ db, principal: ctx.session.principal });
    const awaiting = clarifications.filter((c) => c.status === 'awaiting_reply').length;
    const query = request.query as { saved?: string };
    return page(request, reply, 'respond/task-list.njk', {
      ...common(ctx),
      title: 'Your due diligence questionnaire',
      sections,
      completed: sections.filter((s) => s.status === 'completed').length,
      deadline,
      closes: closesIn({ deadline: new Date(deadline), now: now() }),
      readOnly: ctx.readOnly,
      notice: query.saved ? { type: 'success', text: 'Your answers have been saved. You can come back to them at any time before the deadline.' } : null,
      clarifications: clarifications.length === 0 ? null : awaiting > 0 ? `The council has asked you ${awaiting} question${awaiting === 1 ? '' : 's'}: reply to ${awaiting === 1 ? 'it' : 'them'}` : 'Read the council’s questions and your replies',
    });
  });

  /** The section's questions as the page lays them out: follow-ups inside the choice that reveals them. */
  const layoutOf = (ctx: WebCtx, section: SupplierSection) => sectionLayout({ definition: ctx.definition, section, visible: section.questions });
  const renderSection = async (request: FastifyRequest, reply: FastifyReply, ctx: WebCtx, section: SupplierSection, typed: Typed | null, errors: FieldError[], status = 200) => {
    const layout = layoutOf(ctx, section);
    const build = (q: SupplierQuestion): Record<string, unknown> => {
      const reveals = layout.reveals.get(q.key);
      return {
        ...fieldFor({ q, view: ctx.view, typed, errors, sectionKey: section.key }),
        reveals: reveals ? Object.fromEntries([...reveals].map(([value, questions]) => [value, questions.map(build)])) : null,
      };
    };
    return page(
      request,
      reply,
      'respond/section.njk',
      {
        ...common(ctx),
        title: section.ref ? `${section.ref}. ${section.title}` : section.title,
        section,
        backLink: { href: '/respond', text: 'Back to your questionnaire' },
        action: sectionHref(section.key),
        errors: errors.map((e) => ({ href: e.href, text: e.text })),
        readOnly: ctx.readOnly,
        summaryRows: ctx.readOnly ? summaryRows({ section, view: ctx.view, change: false }) : [],
        fields: layout.top.map(build),
      },
      status,
    );
  };
  web.get<{ Params: { key: string } }>('/respond/sections/:key', { config: { access: 'public' } }, async (request, reply) => {
    const ctx = await load(request, reply);
    if (!ctx) return reply;
    const section = sectionOf(ctx, request.params.key);
    if (!section) return reply.redirect('/respond', 303);
    return renderSection(request, reply, ctx, section, null, []);
  });

  web.post<{ Params: { key: string }; Body: FormBody }>('/respond/sections/:key', { config: { access: 'public' } }, async (request, reply) => {
    const ctx = await load(request, reply);
    if (!ctx) return reply;
    const body = (request.body ?? {}) as FormBody;
    if (!csrfOk(ctx, body._csrf)) return forbidden(request, reply, ctx);
    const section = sectionOf(ctx, request.params.key);
    if (!section || ctx.readOnly) return reply.redirect(section ? sectionHref(section.key) : '/respond', 303);
    const layout = layoutOf(ctx, section);
    const { answers, cleared, typed } = readSectionForm({ questions: layout.all, body, current: ctx.view.answers });
    const supplier = { db, now: now(), principal: ctx.session.principal };
    try {
      if (Object.keys(answers).length > 0) await answersUsecases.saveAnswers({ ...supplier, answers, unknownKeys: 'reject', pathPrefix: '/answers' });
      for (const key of cleared) await answersUsecases.clearAnswer({ ...supplier, questionKey: key });
    } catch (error) {
      if (isAppError(error) && error.code === 'answers.invalid_values') {
        return renderSection(request, reply, ctx, section, typed, fieldErrors({ questions: layout.all, problems: (error as AppError).errors ?? [] }), 400);
      }
      if (isAppError(error) && (error as AppError).status === 409) return reply.redirect('/respond', 303);
      throw error;
    }
    // Answers can reveal follow-up questions: if this section gained some, show it again at the first one.
    const after = await getSupplierResponse(supplier);
    const now_ = after.sections.find((s) => s.key === section.key);
    const added = (now_?.questions ?? []).filter((q) => !layout.all.some((x) => x.key === q.key));
    if (added.length > 0) return reply.redirect(`${sectionHref(section.key)}#question-${added[0]!.key}`, 303);
    if (body.action === 'later') return reply.redirect('/respond?saved=1', 303);
    const index = after.sections.findIndex((s) => s.key === section.key);
    const next = after.sections[index + 1];
    return reply.redirect(next ? sectionHref(next.key) : '/respond/check', 303);
  });
}
