import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isAppError, type AppError } from '../../platform/errors';
import { page } from '../../platform/web';
import { answerFingerprint, saveSectionAnswers, type AnswerDto } from './answers.usecases';
import * as clarificationsUsecases from './clarifications.usecases';
import { taskListTeam } from './team.web';
import { filledNotice } from './imports.models';
import { dropPending, findPending, keepPending, listPending, ownerOfResumeToken, resumeToken } from './pending.usecases';
import { questionsByKey } from './responses.access';
import type { SupplierQuestion, SupplierSection } from './responses.models';
import { getSupplierResponse, type SupplierResponseView } from './responses.usecases';
import { answerText, closesIn, fieldErrors, fieldNames, readSectionForm, sectionLayout, taskList, type FieldError, type FormBody, type Typed } from './web.models';
import { evidenceHref, questionTitle, sectionHref, sectionTitle, summaryRows, withQuestion, type WebCtx, type WebDeps } from './web.context';
import { csrfMatches } from './sessions.usecases';

/**
 * The task list and each section's page of questions: reading what was saved, and saving what was
 * typed without ever losing it. A save changes only the fields this page changed; a change someone
 * else made since the page was rendered is shown beside this one for the supplier to choose; a
 * form posted after the session ended is kept (sealed) until the supplier opens the link again.
 */

/** Where a question's form asks for a comment in its own words: the comment box is shown open. */
const asksForComment = (q: SupplierQuestion) => [q.text, q.guidance, ...(q.options ?? []).map((o) => o.label)].some((t) => /comment box/i.test(t));

/** Fields that name the supplier's organisation, for the browser's autofill. */
const ORGANISATION_NAME = /(^|\.)(legal_name|organisation_name|company_name)$/;

/** What a field shows beyond its saved answer: what was typed, its error, a conflict, why it is new. */
type FieldState = {
  typed: Typed | null;
  errors: FieldError[];
  /** The fingerprint each answer had when the page was first rendered (kept across error pages). */
  bases: Record<string, string>;
  /** Answers someone else changed since this page was rendered: theirs, to show beside the supplier's. */
  conflicts: Map<string, AnswerDto | null>;
  /** New follow-up questions, with the reference of the answer that revealed them. */
  revealedBy: Map<string, string>;
  /** Required questions still blank, marked when the supplier asked to see them. */
  unanswered: Set<string>;
};

function fieldFor({ q, view, state, sectionKey }: { q: SupplierQuestion; view: SupplierResponseView; state: FieldState; sectionKey: string }) {
  const { typed, errors } = state;
  const saved = view.answers[q.key];
  const entered = typed?.[q.key];
  const current = entered ? entered.value : saved?.value;
  const names = fieldNames(q.key);
  const label = questionTitle(q) + (q.required ? '' : ' (optional)');
  const hint = q.guidance ? { text: q.guidance } : undefined;
  // An error on the value itself (the reason field has its own).
  const valueError = errors.find((e) => e.key === q.key && e.href !== `#${names.reason}` && e.href !== `#${names.keep}` && e.href !== `#${names.comment}`);
  const reasonError = errors.find((e) => e.key === q.key && e.href === `#${names.reason}`);
  const keepError = errors.find((e) => e.key === q.key && e.href === `#${names.keep}`);
  const commentError = errors.find((e) => e.key === q.key && e.href === `#${names.comment}`);
  const errorMessage = valueError ? { text: valueError.text } : undefined;
  const legend = { text: label, classes: 'govuk-fieldset__legend--s' };
  const files = view.evidence.filter((e) => e.questionKey === q.key);
  const evidence =
    q.type === 'file' || q.evidence?.requested
      ? { files, href: evidenceHref(sectionKey, q.key), action: `evidence:${q.key}`, buttonHtml: withQuestion(files.length ? 'Save and manage files' : 'Save and upload a file', label), mandatory: q.type === 'file' ? q.required : Boolean(q.evidence?.mandatory) }
      : null;
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
  const commentText = entered ? entered.comment : (saved?.comment ?? '');
  const comment =
    q.type === 'file'
      ? null
      : {
          open: asksForComment(q),
          expanded: commentText !== '' || Boolean(commentError),
          params: { id: names.comment, name: names.comment, label: { html: withQuestion('Comment (optional)', label), classes: 'govuk-label--s' }, value: commentText, rows: 3, errorMessage: commentError ? { text: commentError.text } : undefined },
        };
  const theirs = state.conflicts.get(q.key);
  const conflict =
    theirs === undefined
      ? null
      : {
          name: names.conflict,
          theirs: theirs === null ? 'No answer (they cleared it)' : answerText(q, theirs, files) + (theirs.comment ? `. Comment: ${theirs.comment}` : ''),
          keep: {
            name: names.keep,
            idPrefix: names.keep,
            fieldset: { legend: { html: withQuestion('Which answer do you want to keep?', label), classes: 'govuk-fieldset__legend--s' } },
            errorMessage: keepError ? { text: keepError.text } : undefined,
            items: [
              { value: 'theirs', text: 'Keep the answer saved by someone else', checked: entered?.keep === 'theirs' },
              { value: 'mine', text: 'Replace it with my answer above', checked: entered?.keep === 'mine' },
            ],
          },
        };
  const base = {
    key: q.key,
    label,
    hint: q.guidance,
    evidence,
    confidential,
    comment,
    conflict,
    base: { name: names.base, value: state.bases[q.key] ?? answerFingerprint(saved) },
    revealedBy: state.revealedBy.get(q.key) ?? null,
    unanswered: state.unanswered.has(q.key),
  };
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
          ...(q.type === 'email' ? { autocomplete: 'email' } : q.type === 'url' ? { autocomplete: 'url' } : ORGANISATION_NAME.test(q.key) ? { autocomplete: 'organization' } : {}),
        },
      };
    }
  }
}

/** Every question key a condition tree reads (comparisons name the question they look at). */
function conditionQuestions(condition: unknown, into: Set<string> = new Set()): Set<string> {
  if (Array.isArray(condition)) condition.forEach((c) => conditionQuestions(c, into));
  else if (condition && typeof condition === 'object') {
    for (const [k, v] of Object.entries(condition)) {
      if (k === 'question' && typeof v === 'string') into.add(v);
      else conditionQuestions(v, into);
    }
  }
  return into;
}

/** Section keys are the definition's own: anything else in a query is ignored. */
const keysIn = (value: unknown) => (typeof value === 'string' ? value.split(',').filter((k) => /^[a-z0-9_.-]{1,120}$/i.test(k)).slice(0, 50) : []);

export function registerSectionPages(web: FastifyInstance, deps: WebDeps): void {
  const { database, now, config } = deps;
  const db = database.db;
  const { load, sessionOf, contextOf, csrfOk, common, sectionOf, linkProblem, savedNotice } = deps.web;
  const secretsKey = config.secretsKey;

  web.get('/respond', { config: { access: 'public' } }, async (request, reply) => {
    const ctx = await load(request, reply);
    if (!ctx) return reply;
    const team = await taskListTeam({ db, principal: ctx.session.principal });
    const sections = taskList({ sections: ctx.view.sections, answers: ctx.view.answers, evidence: ctx.view.evidence, missing: ctx.view.missing, assignees: team.assignees });
    const deadline = ctx.view.procurement.deadline;
    const clarifications = await clarificationsUsecases.listOwnClarifications({ db, principal: ctx.session.principal });
    const awaiting = clarifications.filter((c) => c.status === 'awaiting_reply').length;
    const query = request.query as { saved?: string; filled?: string };
    const unsaved = ctx.readOnly ? [] : await listPending({ db, now: now(), secretsKey, principal: ctx.session.principal, kind: 'expired_session' });
    return page(request, reply, 'respond/task-list.njk', {
      ...common(ctx),
      title: 'Your due diligence questionnaire',
      sections,
      team,
      completed: sections.filter((s) => s.status === 'completed').length,
      deadline,
      closes: closesIn({ deadline: new Date(deadline), now: now() }),
      readOnly: ctx.readOnly,
      saved: query.saved ? savedNotice(ctx, query.saved) : null,
      unsaved: unsaved.length,
      notice: filledNotice(query.filled),
      clarifications: clarifications.length === 0 ? null : awaiting > 0 ? `The council has asked you ${awaiting} question${awaiting === 1 ? '' : 's'}: reply to ${awaiting === 1 ? 'it' : 'them'}` : 'Read the council’s questions and your replies',
    });
  });

  /** The section's questions as the page lays them out: follow-ups inside the choice that reveals them. */
  const layoutOf = (ctx: WebCtx, section: SupplierSection) => sectionLayout({ definition: ctx.definition, section, visible: section.questions });
  const noState = (): FieldState => ({ typed: null, errors: [], bases: {}, conflicts: new Map(), revealedBy: new Map(), unanswered: new Set() });

  const renderSection = async (
    request: FastifyRequest,
    reply: FastifyReply,
    ctx: WebCtx,
    section: SupplierSection,
    { state = noState(), status = 200, returnTo = null, pendingId = null, savedKey = null }: { state?: FieldState; status?: number; returnTo?: string | null; pendingId?: string | null; savedKey?: string | null } = {},
  ) => {
    const layout = layoutOf(ctx, section);
    const build = (q: SupplierQuestion): Record<string, unknown> => {
      const reveals = layout.reveals.get(q.key);
      return {
        ...fieldFor({ q, view: ctx.view, state, sectionKey: section.key }),
        reveals: reveals ? Object.fromEntries([...reveals].map(([value, questions]) => [value, questions.map(build)])) : null,
      };
    };
    const revealed = [...state.revealedBy];
    const because = [...new Set(revealed.map(([, ref]) => ref))];
    const conflictCount = state.conflicts.size;
    return page(
      request,
      reply,
      'respond/section.njk',
      {
        ...common(ctx),
        title: sectionTitle(section),
        section,
        backLink: returnTo === 'check' ? { href: '/respond/check', text: 'Back to check your answers' } : { href: '/respond', text: 'Back to your questionnaire' },
        action: sectionHref(section.key),
        returnTo,
        pendingId,
        resume: resumeToken({ secretsKey, principal: ctx.session.principal }),
        errors: state.errors.map((e) => ({ href: e.href, text: e.text })),
        errorDescription: state.errors.length > 0 ? (conflictCount > 0 ? 'Nothing on this page has been saved yet. Choose which answer to keep for each question below, then save again.' : 'Nothing on this page has been saved yet. Correct the answers below, then save again.') : null,
        sectionNotice:
          revealed.length > 0
            ? { heading: `You have new questions to answer in this section because of your answer to ${because.join(' and ')}`, links: revealed.map(([key]) => ({ href: `#question-${key}`, text: questionTitle(section.questions.find((q) => q.key === key)!) })) }
            : state.unanswered.size > 0
              ? { heading: `You have not answered ${state.unanswered.size} required question${state.unanswered.size === 1 ? '' : 's'} in this section`, text: 'You can save the section without them, but you need to answer them before you submit. They are marked below.' }
              : null,
        saved: savedKey ? savedNotice(ctx, savedKey) : null,
        readOnly: ctx.readOnly,
        summaryRows: ctx.readOnly ? summaryRows({ section, view: ctx.view, change: false }) : [],
        fields: layout.top.map(build),
      },
      status,
    );
  };

  /** Required questions of the section that are still blank, as submission counts them. */
  const blankRequired = (ctx: WebCtx, section: SupplierSection) => {
    const keys = new Set(section.questions.map((q) => q.key));
    return new Set(ctx.view.missing.filter((m) => keys.has(m.code)).map((m) => m.code));
  };

  /** Why each new question appeared: the reference of the answer in this section its condition reads. */
  const revealedBy = (ctx: WebCtx, section: SupplierSection, keys: string[]) => {
    const defined = questionsByKey(ctx.definition);
    const refs = new Map<string, string>();
    for (const key of keys) {
      if (!section.questions.some((q) => q.key === key)) continue;
      const reads = [...conditionQuestions(defined.get(key)?.showIf)].map((k) => section.questions.find((q) => q.key === k)).filter((q) => q !== undefined);
      refs.set(key, reads.map((q) => q.ref ?? `“${q.text}”`).join(' and ') || 'an earlier question');
    }
    return refs;
  };

  web.get<{ Params: { key: string }; Querystring: Record<string, string | undefined> }>('/respond/sections/:key', { config: { access: 'public' } }, async (request, reply) => {
    const ctx = await load(request, reply);
    if (!ctx) return reply;
    const section = sectionOf(ctx, request.params.key);
    if (!section) return reply.redirect('/respond', 303);
    const query = request.query;
    const state = noState();
    state.revealedBy = revealedBy(ctx, section, keysIn(query.new));
    if (query.unanswered || state.revealedBy.size > 0) state.unanswered = blankRequired(ctx, section);
    return renderSection(request, reply, ctx, section, { state, returnTo: query.return === 'check' ? 'check' : null, savedKey: query.saved ?? null });
  });

  /**
   * Saves a section's form (posted now, or kept from an ended session and confirmed): only what it
   * changed, never over someone else's change, and lands on the page the supplier asked for.
   */
  const saveForm = async (request: FastifyRequest, reply: FastifyReply, ctx: WebCtx, section: SupplierSection, body: FormBody, pendingId: string | null) => {
    const layout = layoutOf(ctx, section);
    const returnTo = body.return === 'check' ? 'check' : null;
    const { changes, typed, bases, unresolved, strayComments } = readSectionForm({ questions: layout.all, body });
    const state: FieldState = { ...noState(), typed, bases };
    const questions = new Map(layout.all.map((q) => [q.key, q]));
    // Conflicts already shown stay shown until the supplier chooses.
    for (const key of unresolved) {
      state.conflicts.set(key, ctx.view.answers[key] ?? null);
      state.errors.push({ key, href: `#${fieldNames(key).keep}`, text: `Choose which answer to keep for ${questions.get(key)?.ref ? `question ${questions.get(key)!.ref}` : 'this question'}` });
    }
    for (const key of strayComments) {
      const q = questions.get(key)!;
      state.errors.push({ key, href: `#${fieldNames(key).comment}`, text: `Answer ${q.ref ? `question ${q.ref}` : 'the question'} to save your comment, or delete the comment` });
    }
    if (state.errors.length > 0) return renderSection(request, reply, ctx, section, { state, status: 400, returnTo, pendingId });
    let result: Awaited<ReturnType<typeof saveSectionAnswers>>;
    try {
      result = await saveSectionAnswers({ db, now: now(), principal: ctx.session.principal, changes });
    } catch (error) {
      if (isAppError(error) && error.code === 'answers.invalid_values') {
        state.errors = fieldErrors({ questions: layout.all, problems: (error as AppError).errors ?? [] });
        return renderSection(request, reply, ctx, section, { state, status: 400, returnTo, pendingId });
      }
      // Submitted, withdrawn or past the deadline since the page was opened: the page says which.
      if (isAppError(error) && (error as AppError).status === 409) return reply.redirect(sectionHref(section.key), 303);
      throw error;
    }
    if (result.outcome === 'conflict') {
      for (const conflict of result.conflicts) {
        const q = questions.get(conflict.key)!;
        state.conflicts.set(conflict.key, conflict.theirs);
        // The supplier now decides against what is saved, not what it first saw.
        state.bases[conflict.key] = conflict.base;
        state.errors.push({ key: conflict.key, href: `#${fieldNames(conflict.key).keep}`, text: `This answer was changed by someone else since you opened the page: ${q.ref ? `question ${q.ref}` : q.text}` });
      }
      return renderSection(request, reply, ctx, section, { state, status: 409, returnTo, pendingId });
    }
    if (pendingId) await dropPending({ db, now: now(), secretsKey, principal: ctx.session.principal, id: pendingId });
    // Answers can reveal follow-up questions: if this section gained some, show it again, saying why.
    const after = await getSupplierResponse({ db, now: now(), principal: ctx.session.principal });
    const added = (after.sections.find((s) => s.key === section.key)?.questions ?? []).filter((q) => !layout.all.some((x) => x.key === q.key));
    const saved = `saved=${encodeURIComponent(section.key)}`;
    if (added.length > 0) return reply.redirect(`${sectionHref(section.key)}?new=${added.map((q) => encodeURIComponent(q.key)).join(',')}${returnTo ? '&return=check' : ''}#question-${added[0]!.key}`, 303);
    const action = typeof body.action === 'string' ? body.action : 'continue';
    if (action.startsWith('evidence:')) {
      const key = action.slice('evidence:'.length);
      const q = after.sections.find((s) => s.key === section.key)?.questions.find((x) => x.key === key);
      if (q) return reply.redirect(evidenceHref(section.key, q.key), 303);
    }
    if (action === 'later') return reply.redirect(`/respond?${saved}`, 303);
    if (returnTo === 'check') return reply.redirect(`/respond/check?${saved}`, 303);
    const index = after.sections.findIndex((s) => s.key === section.key);
    const next = after.sections[index + 1];
    return reply.redirect(next ? `${sectionHref(next.key)}?${saved}` : `/respond/check?${saved}`, 303);
  };

  /**
   * A form whose session has ended (or that comes from an earlier session than this browser's):
   * what it carried is kept, sealed, for the supplier its resume token names, and applied only once
   * the supplier opens the link again and confirms. Nothing is said to be saved.
   */
  const keepEndedForm = async (request: FastifyRequest, reply: FastifyReply, sectionKey: string, body: FormBody, live: boolean) => {
    const owner = await ownerOfResumeToken({ db, now: now(), secretsKey, token: body._resume });
    if (!owner) return linkProblem(request, reply, 'session', null, live ? 403 : 401);
    const form = Object.fromEntries(Object.entries(body).filter(([k]) => !k.startsWith('_')));
    await keepPending({ db, now: now(), secretsKey, owner, kind: 'expired_session', payload: { answers: {}, sectionKey, form } });
    // With a live session in this browser (the form came from an earlier one), the answers can be reviewed at once.
    return page(request, reply, 'respond/session-ended.njk', { title: live ? 'Your answers have not been saved yet' : 'Your session ended', live }, live ? 409 : 401);
  };

  web.post<{ Params: { key: string }; Body: FormBody }>('/respond/sections/:key', { config: { access: 'public' } }, async (request, reply) => {
    const body = (request.body ?? {}) as FormBody;
    const live = await sessionOf(request);
    if (!live || !csrfMatches(live.csrfToken, body._csrf)) return keepEndedForm(request, reply, request.params.key, body, Boolean(live));
    const ctx = await contextOf(live);
    const section = sectionOf(ctx, request.params.key);
    if (!section || ctx.readOnly) return reply.redirect(section ? sectionHref(section.key) : '/respond', 303);
    const pendingId = typeof body._pending === 'string' ? body._pending : null;
    return saveForm(request, reply, ctx, section, body, pendingId);
  });

  /** Answers typed when the session had ended: shown for the supplier to save or discard. */
  web.get('/respond/unsaved', { config: { access: 'public' } }, async (request, reply) => {
    const ctx = await load(request, reply);
    if (!ctx) return reply;
    const items = await listPending({ db, now: now(), secretsKey, principal: ctx.session.principal, kind: 'expired_session' });
    if (items.length === 0 || ctx.readOnly) return reply.redirect('/respond', 303);
    return page(request, reply, 'respond/unsaved.njk', {
      ...common(ctx),
      title: 'Answers you entered that have not been saved',
      backLink: { href: '/respond', text: 'Back to your questionnaire' },
      items: items.map((item) => {
        const section = sectionOf(ctx, item.payload.sectionKey ?? '');
        const layout = section ? layoutOf(ctx, section) : null;
        const read = layout ? readSectionForm({ questions: layout.all, body: item.payload.form ?? {} }) : null;
        const rows = (read?.changes ?? [])
          .filter((c) => c.base !== answerFingerprint(c.posted))
          .map((c) => {
            const q = layout!.all.find((x) => x.key === c.key)!;
            return { key: { text: questionTitle(q) }, value: { text: c.posted ? answerText(q, { ...c.posted, comment: c.posted.comment ?? null, confidential: Boolean(c.posted.confidential), confidentialReason: c.posted.confidentialReason ?? null, version: 0, updatedAt: '' }, []) : 'Answer deleted' } };
          });
        return { id: item.id, section: section ? sectionTitle(section) : 'A section no longer shown to you', enteredAt: item.createdAt.toISOString(), rows, usable: Boolean(section) && rows.length > 0 };
      }),
    });
  });

  web.post<{ Params: { id: string }; Body: FormBody }>('/respond/unsaved/:id', { config: { access: 'public' } }, async (request, reply) => {
    const ctx = await load(request, reply);
    if (!ctx) return reply;
    const body = (request.body ?? {}) as FormBody;
    if (!csrfOk(ctx, body._csrf)) return deps.web.forbidden(request, reply, ctx);
    const item = await findPending({ db, now: now(), secretsKey, principal: ctx.session.principal, id: request.params.id });
    if (!item) return reply.redirect('/respond', 303);
    const section = sectionOf(ctx, item.payload.sectionKey ?? '');
    if (body.action === 'discard' || !section || ctx.readOnly) {
      await dropPending({ db, now: now(), secretsKey, principal: ctx.session.principal, id: item.id });
      return reply.redirect('/respond', 303);
    }
    return saveForm(request, reply, ctx, section, { ...(item.payload.form ?? {}), action: 'later' }, item.id);
  });
}
