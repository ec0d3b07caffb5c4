import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SupplierPrincipal } from '../../platform/auth';
import type { QuestionnaireDefinition } from '../questionnaires';
import { isAppError, type AppError } from '../../platform/errors';
import { ukDay } from '../../platform/format';
import { runResponseChanged, type AppDeps } from '../../platform/http/deps';
import { page, registerWeb } from '../../platform/web';
import { contactFor } from '../accounts';
import * as answersUsecases from './answers.usecases';
import * as clarificationsUsecases from './clarifications.usecases';
import { readUpload } from './evidence.api';
import * as evidenceUsecases from './evidence.usecases';
import type { SupplierQuestion, SupplierSection } from './responses.models';
import { getSupplierResponse, submitResponse, supplierResponseAndDefinition, type SupplierResponseView } from './responses.usecases';
import { csrfMatches, endSupplierSession, resolveSupplierSession, startSupplierSession } from './sessions.usecases';
import { answerText, closesIn, fieldErrors, fieldNames, readSectionForm, sectionLayout, taskList, type FieldError, type FormBody, type Typed } from './web.models';

/**
 * The supplier web form (GOV.UK Design System, works without JavaScript). It calls the same use
 * cases as the supplier API, with the supplier's own principal from its session; every rule about
 * answers, evidence and submission lives there, not here.
 */

const COOKIE = 'aidd_session';
type Session = { principal: SupplierPrincipal; csrfToken: string };
type Ctx = { council: string; view: SupplierResponseView; definition: QuestionnaireDefinition; session: Session; readOnly: string | null };

const sectionHref = (key: string) => `/respond/sections/${encodeURIComponent(key)}`;
const evidenceHref = (section: string, question: string) => `${sectionHref(section)}/evidence/${encodeURIComponent(question)}`;
const questionTitle = (q: SupplierQuestion) => (q.ref ? `${q.ref} ${q.text}` : q.text);
/** For the few labels built here as HTML (the rest go to the templates as text, escaped there). */
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
/** Visible text, plus the question for screen readers: every question has these same controls. */
const withQuestion = (visible: string, question: string) => `${escapeHtml(visible)}<span class="govuk-visually-hidden"> (${escapeHtml(question)})</span>`;

/** Why the supplier can only read: submitted, withdrawn, or past its deadline or the procurement's close. */
function readOnlyReason(view: SupplierResponseView, now: Date): string | null {
  if (view.response.status === 'submitted' && view.submission)
    return `You submitted your response on ${ukDay(view.submission.submittedAt)} (reference ${view.submission.reference}). You can no longer change your answers.`;
  if (view.response.status === 'withdrawn') return 'You withdrew your response. You can no longer change your answers.';
  if (new Date(view.procurement.deadline) <= now || view.procurement.status !== 'open') return 'The deadline for answers has passed. You can no longer change your answers.';
  return null;
}

/** The GOV.UK component and its parameters for one question, with what was typed or saved and any error. */
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

/** An answer as the check page shows it: the value, whether it is confidential, and any evidence files beside it. */
function summaryValue(q: SupplierQuestion, view: SupplierResponseView): string {
  const files = view.evidence.filter((e) => e.questionKey === q.key);
  const value = answerText(q, view.answers[q.key], files) + (view.answers[q.key]?.confidential ? ' (commercially confidential)' : '');
  return q.type !== 'file' && files.length > 0 ? `${value}. Evidence: ${files.map((f) => f.filename).join(', ')}` : value;
}

function summaryRows({ section, view, change }: { section: SupplierSection; view: SupplierResponseView; change: boolean }) {
  return section.questions.map((q) => ({
    key: { text: questionTitle(q) },
    value: { text: summaryValue(q, view) },
    ...(change ? { actions: { items: [{ href: `${sectionHref(section.key)}#question-${q.key}`, text: 'Change', visuallyHiddenText: q.text }] } } : {}),
  }));
}

export function registerResponsesWeb(app: FastifyInstance, { database, now, config, storage, hooks }: AppDeps): void {
  const db = database.db;
  const secure = true;

  app.register(async (web) => {
    // Pages are not part of the API contract: keep them out of the OpenAPI document.
    web.addHook('onRoute', (route) => {
      route.schema = { ...route.schema, hide: true };
    });
    await registerWeb(web);

    const linkProblem = (request: FastifyRequest, reply: FastifyReply, reason: string, council: string | null, status: number) =>
      page(request, reply, 'respond/link-problem.njk', { title: reason === 'session' ? 'Open your invitation link again' : 'This link does not work', reason, council }, status);

    /** The session's supplier and its response, or the page that says to open the link again. */
    const load = async (request: FastifyRequest, reply: FastifyReply): Promise<Ctx | null> => {
      const cookie = request.cookies[COOKIE];
      const session = cookie ? await resolveSupplierSession({ db, now: now(), session: cookie }) : null;
      if (!session) {
        await linkProblem(request, reply, 'session', null, 401);
        return null;
      }
      const { view, definition } = await supplierResponseAndDefinition({ db, now: now(), principal: session.principal });
      const council = (await contactFor({ db, organisationId: session.principal.organisationId, userId: null })).council;
      return { council, view, definition, session, readOnly: readOnlyReason(view, now()) };
    };
    /** A POST must carry the session's CSRF token. */
    const csrfOk = (ctx: Ctx, given: unknown) => csrfMatches(ctx.session.csrfToken, given);
    const forbidden = (request: FastifyRequest, reply: FastifyReply, ctx: Ctx) =>
      page(request, reply, 'respond/link-problem.njk', { title: 'Open your invitation link again', reason: 'session', council: ctx.council }, 403);
    const common = (ctx: Ctx) => ({ council: ctx.council, procurement: ctx.view.procurement, csrfToken: ctx.session.csrfToken, supplierName: ctx.view.supplier.name });

    web.get<{ Params: { token: string } }>('/respond/:token', { config: { access: 'public' } }, async (request, reply) => {
      const started = await startSupplierSession({ db, now: now(), token: request.params.token });
      if ('problem' in started) return linkProblem(request, reply, started.problem.reason, started.problem.council, 404);
      reply.setCookie(COOKIE, started.session, { path: '/respond', httpOnly: true, secure, sameSite: 'lax', expires: started.expiresAt });
      // Away from the address bar, history and Referer: the token has done its work.
      return reply.redirect('/respond', 303);
    });

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
    const layoutOf = (ctx: Ctx, section: SupplierSection) => sectionLayout({ definition: ctx.definition, section, visible: section.questions });
    const renderSection = async (request: FastifyRequest, reply: FastifyReply, ctx: Ctx, section: SupplierSection, typed: Typed | null, errors: FieldError[], status = 200) => {
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
    const sectionOf = (ctx: Ctx, key: string) => ctx.view.sections.find((s) => s.key === key);

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

    const renderEvidence = async (request: FastifyRequest, reply: FastifyReply, ctx: Ctx, section: SupplierSection, q: SupplierQuestion, fileError?: string, status = 200) =>
      page(
        request,
        reply,
        'respond/evidence.njk',
        {
          ...common(ctx),
          title: 'Evidence files',
          pageTitle: `Evidence files for ${questionTitle(q)}`,
          question: q,
          backLink: { href: sectionHref(section.key), text: 'Back to the section' },
          back: `${sectionHref(section.key)}#question-${q.key}`,
          action: evidenceHref(section.key, q.key),
          files: ctx.view.evidence.filter((e) => e.questionKey === q.key).map((f) => ({ ...f, size: f.sizeBytes < 1024 * 1024 ? `${(f.sizeBytes / 1024).toFixed(1)} KB` : `${(f.sizeBytes / (1024 * 1024)).toFixed(1)} MB` })),
          maxMb: Math.floor(config.evidenceMaxBytes / (1024 * 1024)),
          readOnly: ctx.readOnly,
          errors: fileError ? [{ href: '#file', text: fileError }] : [],
          fileError: fileError ? { text: fileError } : undefined,
        },
        status,
      );
    const evidenceTarget = (ctx: Ctx, params: { key: string; question: string }) => {
      const section = sectionOf(ctx, params.key);
      const q = section?.questions.find((x) => x.key === params.question);
      return section && q && (q.type === 'file' || q.evidence?.requested) ? { section, q } : null;
    };

    web.get<{ Params: { key: string; question: string } }>('/respond/sections/:key/evidence/:question', { config: { access: 'public' } }, async (request, reply) => {
      const ctx = await load(request, reply);
      if (!ctx) return reply;
      const target = evidenceTarget(ctx, request.params);
      if (!target) return reply.redirect('/respond', 303);
      return renderEvidence(request, reply, ctx, target.section, target.q);
    });

    web.post<{ Params: { key: string; question: string } }>('/respond/sections/:key/evidence/:question', { config: { access: 'public' } }, async (request, reply) => {
      const ctx = await load(request, reply);
      if (!ctx) return reply;
      const target = evidenceTarget(ctx, request.params);
      if (!target) return reply.redirect('/respond', 303);
      let upload: Awaited<ReturnType<typeof readUpload>> | null = null;
      let problem: string | undefined;
      try {
        upload = await readUpload(request, config.evidenceMaxBytes);
      } catch (error) {
        if (!isAppError(error)) throw error;
        problem = (error as AppError).code === 'evidence.invalid_upload' ? 'Select a file' : ((error as AppError).detail ?? (error as AppError).title);
      }
      if (upload && !csrfOk(ctx, upload.fields._csrf)) return forbidden(request, reply, ctx);
      if (!upload) {
        // A form posted without a file still carries its CSRF token; without one it is refused like any other.
        return renderEvidence(request, reply, ctx, target.section, target.q, problem ?? 'Select a file', 400);
      }
      if (upload.bytes.length === 0 && !upload.filename) return renderEvidence(request, reply, ctx, target.section, target.q, 'Select a file', 400);
      try {
        await evidenceUsecases.uploadEvidence({ db, now: now(), principal: ctx.session.principal, storage, questionKey: target.q.key, filename: upload.filename, bytes: upload.bytes });
      } catch (error) {
        if (!isAppError(error)) throw error;
        const e = error as AppError;
        const text = e.code === 'evidence.unsupported_type' ? 'The selected file must be a PDF, DOCX, XLSX, ODT, PNG, JPEG, TXT or CSV' : e.code === 'evidence.empty' ? 'The selected file is empty' : `${e.title}${e.detail ? `. ${e.detail}` : ''}`;
        return renderEvidence(request, reply, ctx, target.section, target.q, text, 400);
      }
      return reply.redirect(evidenceHref(target.section.key, target.q.key), 303);
    });

    web.post<{ Params: { id: string }; Body: FormBody }>('/respond/evidence/:id/remove', { config: { access: 'public' } }, async (request, reply) => {
      const ctx = await load(request, reply);
      if (!ctx) return reply;
      const body = (request.body ?? {}) as FormBody;
      if (!csrfOk(ctx, body._csrf)) return forbidden(request, reply, ctx);
      const file = ctx.view.evidence.find((e) => e.id === request.params.id);
      const section = file ? ctx.view.sections.find((s) => s.questions.some((q) => q.key === file.questionKey)) : undefined;
      if (file && !ctx.readOnly) await evidenceUsecases.deleteEvidence({ db, now: now(), principal: ctx.session.principal, storage, id: file.id });
      return reply.redirect(file && section ? evidenceHref(section.key, file.questionKey) : '/respond', 303);
    });

    const renderCheck = (request: FastifyRequest, reply: FastifyReply, ctx: Ctx, declarationError?: string) => {
      const questions = new Map(ctx.view.sections.flatMap((s) => s.questions.map((q) => [q.key, { q, s }] as const)));
      return page(request, reply, 'respond/check.njk', {
        ...common(ctx),
        title: ctx.readOnly ? 'Your answers' : 'Check your answers before submitting',
        backLink: { href: '/respond', text: 'Back to your questionnaire' },
        sections: ctx.view.sections.map((section) => ({ title: section.ref ? `${section.ref}. ${section.title}` : section.title, rows: summaryRows({ section, view: ctx.view, change: !ctx.readOnly }) })),
        missing: ctx.view.missing.map((m) => {
          const found = questions.get(m.code);
          const href = found ? (m.path.startsWith('/evidence/') ? evidenceHref(found.s.key, m.code) : `${sectionHref(found.s.key)}#question-${m.code}`) : '/respond';
          return { href, text: `${found ? questionTitle(found.q) : m.code}: ${m.path.startsWith('/evidence/') ? 'upload the evidence asked for' : 'answer this question'}` };
        }),
        readOnly: ctx.readOnly,
        submissionKey: randomUUID(),
        errors: declarationError ? [{ href: '#declaration', text: declarationError }] : [],
        declarationError: declarationError ? { text: declarationError } : undefined,
      }, declarationError ? 400 : 200);
    };

    web.get('/respond/check', { config: { access: 'public' } }, async (request, reply) => {
      const ctx = await load(request, reply);
      return ctx ? renderCheck(request, reply, ctx) : reply;
    });

    web.post<{ Body: FormBody }>('/respond/submit', { config: { access: 'public' } }, async (request, reply) => {
      const ctx = await load(request, reply);
      if (!ctx) return reply;
      const body = (request.body ?? {}) as FormBody;
      if (!csrfOk(ctx, body._csrf)) return forbidden(request, reply, ctx);
      if (body.declaration !== 'yes') return renderCheck(request, reply, ctx, 'Confirm the declaration to submit your response');
      try {
        await submitResponse({ db, now: now(), principal: ctx.session.principal, idempotencyKey: typeof body.submissionKey === 'string' ? body.submissionKey.slice(0, 100) : undefined, onChanged: runResponseChanged(hooks.responseChanged) });
      } catch (error) {
        if (!isAppError(error)) throw error;
        return reply.redirect((error as AppError).code === 'responses.incomplete' ? '/respond/check' : '/respond', 303);
      }
      return reply.redirect('/respond/confirmation', 303);
    });

    web.get('/respond/confirmation', { config: { access: 'public' } }, async (request, reply) => {
      const ctx = await load(request, reply);
      if (!ctx) return reply;
      if (!ctx.view.submission) return reply.redirect('/respond', 303);
      return page(request, reply, 'respond/confirmation.njk', { ...common(ctx), title: 'Response submitted', reference: ctx.view.submission.reference, submittedAt: ctx.view.submission.submittedAt });
    });

    const renderClarifications = async (request: FastifyRequest, reply: FastifyReply, ctx: Ctx, failed?: { id: string; reply: string; amended: string; replyError?: string; amendError?: string }) => {
      const items = await clarificationsUsecases.listOwnClarifications({ db, principal: ctx.session.principal });
      const questions = new Map(ctx.view.sections.flatMap((s) => s.questions.map((q) => [q.key, q] as const)));
      const errors = failed ? [...(failed.replyError ? [{ href: `#reply-${failed.id}`, text: failed.replyError }] : []), ...(failed.amendError ? [{ href: `#amended-${failed.id}`, text: failed.amendError }] : [])] : [];
      return page(
        request,
        reply,
        'respond/clarifications.njk',
        {
          ...common(ctx),
          title: 'Questions from the council',
          backLink: { href: '/respond', text: 'Back to your questionnaire' },
          errors,
          items: items.map((c) => {
            const q = questions.get(c.questionKey);
            return {
              id: c.id,
              questionTitle: q ? questionTitle(q) : c.questionKey,
              allowAmend: c.allowAmend && (!q || ['short_text', 'long_text', 'number', 'url', 'email'].includes(q.type)),
              open: c.status === 'awaiting_reply',
              typedReply: failed?.id === c.id ? failed.reply : '',
              typedAmended: failed?.id === c.id ? failed.amended : '',
              replyError: failed?.id === c.id && failed.replyError ? { text: failed.replyError } : undefined,
              amendError: failed?.id === c.id && failed.amendError ? { text: failed.amendError } : undefined,
              rows: [
                { key: { text: 'The council asked' }, value: { text: c.question } },
                ...(c.reply ? [{ key: { text: 'You replied' }, value: { text: c.reply } }] : []),
                ...(c.amendedAnswer ? [{ key: { text: 'Amended answer' }, value: { text: String(c.amendedAnswer.value) } }] : []),
              ],
            };
          }),
        },
        failed ? 400 : 200,
      );
    };

    web.get('/respond/clarifications', { config: { access: 'public' } }, async (request, reply) => {
      const ctx = await load(request, reply);
      return ctx ? renderClarifications(request, reply, ctx) : reply;
    });

    web.post<{ Params: { id: string }; Body: FormBody }>('/respond/clarifications/:id', { config: { access: 'public' } }, async (request, reply) => {
      const ctx = await load(request, reply);
      if (!ctx) return reply;
      const body = (request.body ?? {}) as FormBody;
      if (!csrfOk(ctx, body._csrf)) return forbidden(request, reply, ctx);
      const text = typeof body.reply === 'string' ? body.reply.trim() : '';
      const amended = typeof body.amendedAnswer === 'string' ? body.amendedAnswer.trim() : '';
      if (!text) return renderClarifications(request, reply, ctx, { id: request.params.id, reply: text, amended, replyError: 'Enter your reply' });
      const clarification = (await clarificationsUsecases.listOwnClarifications({ db, principal: ctx.session.principal })).find((c) => c.id === request.params.id);
      if (!clarification) return reply.redirect('/respond/clarifications', 303);
      const q = ctx.view.sections.flatMap((s) => s.questions).find((x) => x.key === clarification.questionKey);
      const value = amended === '' ? undefined : q?.type === 'number' && Number.isFinite(Number(amended)) ? Number(amended) : amended;
      try {
        await clarificationsUsecases.replyToClarification({
          db,
          now: now(),
          principal: ctx.session.principal,
          id: clarification.id,
          reply: text,
          ...(value === undefined ? {} : { amendedAnswer: { value } }),
          onChanged: runResponseChanged(hooks.responseChanged),
        });
      } catch (error) {
        if (!isAppError(error)) throw error;
        const e = error as AppError;
        if (e.status === 422) return renderClarifications(request, reply, ctx, { id: clarification.id, reply: text, amended, amendError: (e.errors?.[0]?.message ?? e.title).replace(/^[^:]*: /, '') });
        return reply.redirect('/respond/clarifications', 303);
      }
      return reply.redirect(`/respond/clarifications#clarification-${clarification.id}`, 303);
    });

    web.post<{ Body: FormBody }>('/respond/sign-out', { config: { access: 'public' } }, async (request, reply) => {
      const cookie = request.cookies[COOKIE];
      if (cookie) await endSupplierSession({ db, session: cookie });
      reply.clearCookie(COOKIE, { path: '/respond' });
      return reply.redirect('/respond', 303);
    });
  });
}
