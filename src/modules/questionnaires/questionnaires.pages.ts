import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ConsoleDeps } from '../accounts';
import type { Role, UserPrincipal } from '../../platform/auth';
import { isAppError, type AppError } from '../../platform/errors';
import { contentDisposition } from '../../platform/http/content-disposition';
import { page, putFlash, takeFlash } from '../../platform/web';
import { questionnaireDefinitionSchema } from './questionnaires.definition';
import { buildMethodology } from './questionnaires.methodology';
import {
  definitionView,
  importProblems,
  libraryEmpty,
  libraryFilter,
  libraryQuery,
  libraryRows,
  methodologyView,
  statusTag,
  type ImportProblem,
} from './questionnaires.pages.models';
import * as usecases from './questionnaires.usecases';
import { validateDefinition } from './questionnaires.validation';

/**
 * The officer console's questionnaire pages: the library, a definition in words, the methodology
 * as bidders will read it, and clone, publish, archive, export and import. Each calls the same use
 * case as the API with the signed-in user as principal; who may change what is the API's rule
 * (admins and officers write, every role reads).
 */

const WRITERS: readonly Role[] = ['admin', 'officer'];
const PAGE_SIZE = 20;
const T = 'console/questionnaires';

const idParams = z.object({ id: z.uuid() });
const cloneForm = z.object({
  title: z.string().trim().min(1, 'Enter a name for the new questionnaire').max(200, 'The name must be 200 characters or fewer'),
  version: z.union([z.literal(''), questionnaireDefinitionSchema.shape.version]),
});

/** The banner the next page shows after a change (left in a sealed cookie for that page only, so a reload does not repeat it). */
const DONE = {
  imported: 'Questionnaire imported as a draft.',
  cloned: 'Copy made as a draft in your council’s library.',
  published: 'Questionnaire published. It can no longer change: make a copy to start the next version.',
  archived: 'Questionnaire archived. New procurements cannot use it.',
} as const;

type Action = 'clone' | 'publish' | 'archive';

/** Which changes the caller may make to this questionnaire, and why not when it may not: the use cases' own rules, said before the button. */
export function actionsFor(q: usecases.QuestionnaireSummary, role: Role): Record<Action, { allowed: boolean; reason: string | null }> {
  const writer = WRITERS.includes(role);
  const no = (reason: string) => ({ allowed: false, reason });
  const yes = { allowed: true, reason: null };
  const roleReason = 'Only officers and admins can change questionnaires.';
  return {
    clone: writer ? yes : no(roleReason),
    publish: !writer
      ? no(roleReason)
      : q.builtIn
        ? no('Built-in questionnaires are already published.')
        : q.archived
          ? no('This questionnaire is archived, so it cannot be published.')
          : q.status === 'published'
            ? no('This version is already published.')
            : yes,
    archive: !writer ? no(roleReason) : q.builtIn ? no('Built-in questionnaires cannot be archived.') : q.archived ? no('This questionnaire is already archived.') : yes,
  };
}

export function registerQuestionnairePages(web: FastifyInstance, deps: ConsoleDeps): void {
  const { database, now, config, staff } = deps;
  const db = database.db;
  const guarded = { preHandler: staff.requireStaff };

  const principalOf = (request: FastifyRequest): UserPrincipal => staff.staffOf(request).principal;
  const ctx = (request: FastifyRequest) => ({ db, now: now(), principal: principalOf(request) });
  const canWrite = (request: FastifyRequest) => WRITERS.includes(principalOf(request).role);
  const render = (request: FastifyRequest, reply: FastifyReply, template: string, context: Record<string, unknown>, status = 200) =>
    page(request, reply, `${T}/${template}`, { ...staff.common(request, 'questionnaires'), ...context }, status);

  /** The id in the address, or null when it cannot be one (answered as not found, like another organisation's). */
  const idOf = (request: FastifyRequest): string | null => {
    const parsed = idParams.safeParse(request.params);
    return parsed.success ? parsed.data.id : null;
  };

  /** Runs a use case that reads one questionnaire; not found (or another organisation's) becomes the console's 404 page. */
  async function readable<T>(request: FastifyRequest, reply: FastifyReply, read: (id: string) => Promise<T>): Promise<T | null> {
    const id = idOf(request);
    if (!id) {
      await staff.notFound(request, reply);
      return null;
    }
    try {
      return await read(id);
    } catch (error) {
      if (isAppError(error) && error.code === 'questionnaires.not_found') {
        await staff.notFound(request, reply);
        return null;
      }
      throw error;
    }
  }

  const load = (request: FastifyRequest, reply: FastifyReply) => readable(request, reply, (id) => usecases.getQuestionnaire({ db, principal: principalOf(request), id }));

  const notAllowed = (request: FastifyRequest, reply: FastifyReply, backHref: string) =>
    render(request, reply, 'not-allowed.njk', { title: 'You cannot change questionnaires', backLink: { href: backHref } }, 403);

  /** A POST's CSRF check, then the role check; false once it has been answered. */
  async function mayChange(request: FastifyRequest, reply: FastifyReply, given: unknown, backHref: string): Promise<boolean> {
    if (!staff.csrfOk(request, given)) {
      await staff.csrfRefused(request, reply);
      return false;
    }
    if (!canWrite(request)) {
      await notAllowed(request, reply, backHref);
      return false;
    }
    return true;
  }

  const viewPath = (id: string) => `/questionnaires/${id}`;
  const flashBinding = (request: FastifyRequest, path: string) => ({ key: config.secretsKey, session: staff.staffOf(request).id, page: path, now: now() });
  /** After a change: the questionnaire's page, with a banner saying what was done. */
  const done = (request: FastifyRequest, reply: FastifyReply, id: string, what: keyof typeof DONE) => {
    putFlash(reply, { ...flashBinding(request, viewPath(id)), secure: config.cookieSecure, value: what });
    return reply.redirect(viewPath(id), 303);
  };

  const formOf = (request: FastifyRequest): Record<string, unknown> => (request.body && typeof request.body === 'object' ? (request.body as Record<string, unknown>) : {});

  // ── The library ──

  web.get('/questionnaires', guarded, async (request, reply) => {
    const query = (request.query ?? {}) as Record<string, unknown>;
    const filter = libraryFilter(query);
    const cursor = typeof query.cursor === 'string' && query.cursor.length <= 512 ? query.cursor : undefined;
    const list = (after: string | undefined) =>
      usecases.listQuestionnaires({
        db,
        principal: principalOf(request),
        limit: PAGE_SIZE,
        cursor: after,
        builtIn: filter.show === 'all' ? undefined : filter.show === 'built_in',
        includeArchived: filter.archived,
      });
    let result;
    let first = !cursor;
    try {
      result = await list(cursor);
    } catch (error) {
      // A cursor that was tampered with or outlived its page: show the first page rather than a problem.
      if (!(isAppError(error) && error.code === 'pagination.invalid_cursor')) throw error;
      result = await list(undefined);
      first = true;
    }
    return render(request, reply, 'list.njk', {
      title: 'Questionnaires',
      fullWidth: true,
      rows: libraryRows(result.items),
      filter,
      empty: libraryEmpty(filter, canWrite(request)),
      canWrite: canWrite(request),
      nextHref: result.nextCursor ? libraryQuery(filter, result.nextCursor) : null,
      firstHref: first ? null : libraryQuery(filter),
    });
  });

  // ── Import (before /:id, whose pattern it would otherwise match) ──

  const IMPORT = '/questionnaires/import';
  const renderImport = (request: FastifyRequest, reply: FastifyReply, { fileError, problems = [], filename }: { fileError?: string; problems?: ImportProblem[]; filename?: string } = {}, status = 200) =>
    render(
      request,
      reply,
      'import.njk',
      {
        title: 'Import a questionnaire',
        backLink: { href: '/questionnaires', text: 'Back to questionnaires' },
        maxSize: `${Math.floor(config.bodyLimitBytes / 1024)} KB`,
        errors: problems.length > 0 ? problems.map((p) => ({ href: '#file', html: p.summaryHtml })) : fileError ? [{ href: '#file', text: fileError }] : [],
        errorDescription: problems.length > 0 ? `${filename ?? 'The file'} has ${problems.length} problem${problems.length === 1 ? '' : 's'}. Nothing has been imported. Correct ${problems.length === 1 ? 'it' : 'them'} and upload the file again.` : undefined,
        fileError: fileError ? { text: fileError } : problems.length > 0 ? { text: `The file has ${problems.length} problem${problems.length === 1 ? '' : 's'}: see the list below` } : undefined,
        problems,
        filename,
      },
      status,
    );

  web.get(IMPORT, guarded, async (request, reply) => {
    if (!canWrite(request)) return notAllowed(request, reply, '/questionnaires');
    return renderImport(request, reply);
  });

  web.post(IMPORT, guarded, async (request, reply) => {
    const upload = await readUpload(request, config.bodyLimitBytes);
    if (!(await mayChange(request, reply, upload.fields._csrf, '/questionnaires'))) return reply;
    if (!upload.ok) return renderImport(request, reply, { fileError: upload.message }, upload.status);

    let input: unknown;
    try {
      input = JSON.parse(upload.bytes.toString('utf8').replace(/^\uFEFF/, ''));
    } catch (error) {
      return renderImport(request, reply, { fileError: `The selected file is not valid JSON (${(error as Error).message}). Export the questionnaire again, or correct the file` }, 400);
    }
    // Every problem, with its path, as the API's 422 lists them (the page shows them all, not a first few).
    const checked = validateDefinition(input);
    if (!checked.ok) return renderImport(request, reply, { problems: importProblems(checked.problems, input), filename: upload.filename }, 422);
    try {
      const imported = await usecases.importQuestionnaire({ ...ctx(request), input });
      return done(request, reply, imported.id, 'imported');
    } catch (error) {
      if (isAppError(error) && error.code === 'questionnaires.version_exists') return renderImport(request, reply, { fileError: `${error.detail.replace(/\.$/, '')}: change "version" in the file, or clone the existing one` }, 409);
      if (isAppError(error) && error.code === 'questionnaires.invalid_definition') {
        return renderImport(request, reply, { problems: importProblems((error.errors ?? []).map((p) => ({ path: p.path.replace(/^\/body/, '') || '/', message: p.message })), input), filename: upload.filename }, 422);
      }
      throw error;
    }
  });

  // ── One questionnaire ──

  web.get('/questionnaires/:id', guarded, async (request, reply) => {
    const q = await load(request, reply);
    if (!q) return reply;
    const { definition, ...summary } = q;
    const what = takeFlash<string>(request, reply, flashBinding(request, viewPath(q.id)));
    const notice = what && what in DONE ? { type: 'success', text: DONE[what as keyof typeof DONE] } : undefined;
    return render(request, reply, 'view.njk', {
      title: q.title,
      q: { ...summary, statusTag: statusTag(summary), source: summary.builtIn ? 'Built-in' : 'Your council' },
      view: definitionView({ definition, methodology: buildMethodology(definition) }),
      actions: actionsFor(summary, principalOf(request).role),
      notice,
      backLink: { href: '/questionnaires', text: 'Back to questionnaires' },
    });
  });

  web.get('/questionnaires/:id/methodology', guarded, async (request, reply) => {
    const methodology = await readable(request, reply, (id) => usecases.getMethodology({ db, principal: principalOf(request), id }));
    if (!methodology) return reply;
    return render(request, reply, 'methodology.njk', {
      title: 'Scoring methodology',
      pageTitle: `Scoring methodology: ${methodology.questionnaire.title}`,
      m: methodologyView(methodology),
      backLink: { href: `/questionnaires/${idOf(request)}`, text: 'Back to the questionnaire' },
    });
  });

  /** The same bytes and file name as GET /v1/questionnaires/{id}/export. */
  web.get('/questionnaires/:id/export', guarded, async (request, reply) => {
    const q = await load(request, reply);
    if (!q) return reply;
    return reply
      .type('application/json; charset=utf-8')
      .header('content-disposition', contentDisposition(`${q.key}-${q.version}.json`))
      .header('cache-control', 'no-store')
      .send(usecases.exportDefinition(q.definition));
  });

  // ── Clone ──

  const renderClone = (request: FastifyRequest, reply: FastifyReply, q: usecases.QuestionnaireSummary, values: { title: string; version: string }, fieldErrors: Partial<Record<'title' | 'version', string>> = {}, status = 200) =>
    render(
      request,
      reply,
      'clone.njk',
      {
        title: 'Make a copy',
        q,
        values,
        errors: (['title', 'version'] as const).filter((f) => fieldErrors[f]).map((f) => ({ href: `#${f}`, text: fieldErrors[f] })),
        fieldErrors: Object.fromEntries(Object.entries(fieldErrors).map(([f, text]) => [f, { text }])),
        backLink: { href: `/questionnaires/${q.id}`, text: 'Back' },
      },
      status,
    );

  web.get('/questionnaires/:id/clone', guarded, async (request, reply) => {
    const q = await load(request, reply);
    if (!q) return reply;
    if (!canWrite(request)) return notAllowed(request, reply, `/questionnaires/${q.id}`);
    return renderClone(request, reply, q, { title: q.title, version: '' });
  });

  web.post('/questionnaires/:id/clone', guarded, async (request, reply) => {
    const form = formOf(request);
    if (!(await mayChange(request, reply, form._csrf, '/questionnaires'))) return reply;
    const q = await load(request, reply);
    if (!q) return reply;
    const values = { title: typeof form.title === 'string' ? form.title : '', version: typeof form.version === 'string' ? form.version.trim() : '' };
    const parsed = cloneForm.safeParse(values);
    if (!parsed.success) {
      const fieldErrors: Partial<Record<'title' | 'version', string>> = {};
      for (const issue of parsed.error.issues) {
        const field = issue.path[0] as 'title' | 'version';
        fieldErrors[field] ??= field === 'version' ? 'Enter a version like 1.1.0 (three whole numbers separated by full stops), or leave it blank' : issue.message;
      }
      return renderClone(request, reply, q, values, fieldErrors, 400);
    }
    try {
      const copy = await usecases.clone({ ...ctx(request), id: q.id, title: parsed.data.title, version: parsed.data.version || undefined });
      return done(request, reply, copy.id, 'cloned');
    } catch (error) {
      if (isAppError(error) && error.code === 'questionnaires.version_exists') return renderClone(request, reply, q, values, { version: `Your council already has version ${parsed.data.version || 'that'} of this questionnaire: enter another version` }, 409);
      if (isAppError(error) && error.code === 'questionnaires.not_found') return staff.notFound(request, reply);
      throw error;
    }
  });

  // ── Publish and archive: a confirmation page, then the change ──

  const confirmations = {
    publish: {
      title: 'Publish this questionnaire',
      button: 'Publish',
      run: usecases.publish,
      done: 'published',
      warning: 'Once published, this version cannot be changed. Procurements can then use it. To change it later, make a copy as the next version.',
    },
    archive: {
      title: 'Archive this questionnaire',
      button: 'Archive',
      run: usecases.archive,
      done: 'archived',
      warning: 'New procurements will not be able to use it. Procurements that already use it are not affected.',
    },
  } as const;

  for (const [action, c] of Object.entries(confirmations) as Array<[keyof typeof confirmations, (typeof confirmations)[keyof typeof confirmations]]>) {
    const renderConfirm = (request: FastifyRequest, reply: FastifyReply, q: usecases.QuestionnaireSummary, problem?: AppError) => {
      const allowed = actionsFor(q, principalOf(request).role)[action];
      const refusal = problem ? problem.detail : allowed.reason;
      return render(
        request,
        reply,
        'confirm.njk',
        {
          title: c.title,
          q,
          statusTag: statusTag(q),
          action: `/questionnaires/${q.id}/${action}`,
          button: c.button,
          warning: c.warning,
          refusal,
          problems: problem?.errors?.map((p) => `${p.path.replace(/^\/body/, '') || '/'}: ${p.message}`) ?? [],
          errors: problem ? [{ href: '#refusal', text: problem.title }] : [],
          backLink: { href: `/questionnaires/${q.id}`, text: 'Back' },
        },
        problem ? problem.status : 200,
      );
    };

    web.get(`/questionnaires/:id/${action}`, guarded, async (request, reply) => {
      const q = await load(request, reply);
      if (!q) return reply;
      if (!canWrite(request)) return notAllowed(request, reply, `/questionnaires/${q.id}`);
      return renderConfirm(request, reply, q);
    });

    web.post(`/questionnaires/:id/${action}`, guarded, async (request, reply) => {
      if (!(await mayChange(request, reply, formOf(request)._csrf, '/questionnaires'))) return reply;
      const q = await load(request, reply);
      if (!q) return reply;
      try {
        await c.run({ ...ctx(request), id: q.id });
        return done(request, reply, q.id, c.done);
      } catch (error) {
        if (isAppError(error) && error.code === 'questionnaires.not_found') return staff.notFound(request, reply);
        // Published, archived or built-in meanwhile (another tab, another officer): say so on the page.
        if (isAppError(error) && error.status < 500) return renderConfirm(request, reply, q, error);
        throw error;
      }
    });
  }
}

type Upload =
  | { ok: true; filename: string; bytes: Buffer; fields: Record<string, string> }
  | { ok: false; message: string; status: number; fields: Record<string, string> };

/**
 * A file posted from the import form (multipart, as a browser sends it without JavaScript), and its
 * other fields (the CSRF token). A missing, empty or oversized file is a message for the page.
 */
async function readUpload(request: FastifyRequest, maxBytes: number): Promise<Upload> {
  const fields: Record<string, string> = {};
  if (!request.isMultipart()) {
    Object.assign(fields, Object.fromEntries(Object.entries((request.body as Record<string, unknown> | undefined) ?? {}).filter(([, v]) => typeof v === 'string')));
    return { ok: false, message: 'Select a JSON file to import', status: 400, fields };
  }
  const tooLarge = { ok: false as const, message: `The selected file must be smaller than ${Math.floor(maxBytes / 1024)} KB`, status: 413, fields };
  if (Number(request.headers['content-length'] ?? 0) > maxBytes + 64 * 1024) return tooLarge;
  let file: { filename: string; bytes: Buffer } | undefined;
  try {
    for await (const part of request.parts({ limits: { fileSize: maxBytes, files: 1 } })) {
      if (part.type === 'file') {
        const bytes = await part.toBuffer();
        if (part.filename || bytes.length > 0) file = { filename: part.filename || 'upload.json', bytes };
      } else {
        fields[part.fieldname] = String(part.value);
      }
    }
  } catch (error) {
    if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') return tooLarge;
    return { ok: false, message: 'The upload did not arrive whole: select the file and try again', status: 400, fields };
  }
  if (!file) return { ok: false, message: 'Select a JSON file to import', status: 400, fields };
  if (file.bytes.length === 0) return { ok: false, message: 'The selected file is empty', status: 400, fields };
  return { ok: true, ...file, fields };
}
