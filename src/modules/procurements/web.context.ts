import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { UserPrincipal } from '../../platform/auth';
import { isAppError } from '../../platform/errors';
import type { ProcurementFacts } from '../../platform/http/deps';
import { page, putFlash, takeFlash } from '../../platform/web';
import type { ConsoleDeps } from '../accounts';
import { getQuestionnaire, type QuestionnaireDefinition } from '../questionnaires';
import { mayChangeProcurements } from './procurements.access';
import * as usecases from './procurements.usecases';
import type { FormBody } from './web.models';

/**
 * What the procurement pages share: the signed-in user's principal for the use cases, the
 * procurement named in the address (another council's, or no procurement, is the console's 404),
 * the CSRF and role checks every change passes, what other modules know about procurements
 * (suppliers invited and submitted, through `hooks.procurementFacts`), and the one-time banner a
 * change leaves for the page it redirects to.
 */

export const T = 'console/procurements';
const idParams = z.object({ id: z.uuid() });

export type Loaded = { procurement: usecases.ProcurementDto; definition: QuestionnaireDefinition; principal: UserPrincipal };

export function procurementWeb(deps: ConsoleDeps) {
  const { database, now, config, staff, hooks } = deps;
  const db = database.db;

  const principalOf = (request: FastifyRequest): UserPrincipal => staff.staffOf(request).principal;
  const ctx = (request: FastifyRequest) => ({ db, now: now(), principal: principalOf(request) });
  const canChange = (request: FastifyRequest) => mayChangeProcurements(principalOf(request).role);

  const render = (request: FastifyRequest, reply: FastifyReply, template: string, context: Record<string, unknown>, status = 200) =>
    page(request, reply, `${T}/${template}`, { ...staff.common(request, 'procurements'), ...context }, status);

  /** 403: the user's role may not change procurements. Nothing has been changed. */
  const notAllowed = (request: FastifyRequest, reply: FastifyReply, backHref: string) =>
    render(request, reply, 'not-allowed.njk', { title: 'You cannot change procurements', backLink: { href: backHref } }, 403);

  /** The procurement the address names, read with the user's principal; null once the 404 page has been sent. */
  async function load(request: FastifyRequest, reply: FastifyReply): Promise<Loaded | null> {
    const parsed = idParams.safeParse(request.params);
    if (!parsed.success) {
      await staff.notFound(request, reply);
      return null;
    }
    try {
      return { ...(await usecases.getProcurementWithDefinition({ ...ctx(request), id: parsed.data.id })), principal: principalOf(request) };
    } catch (error) {
      if (isAppError(error) && error.code === 'procurements.not_found') {
        await staff.notFound(request, reply);
        return null;
      }
      throw error;
    }
  }

  /** The pinned questionnaire's definition of a procurement read without it (parsed definitions are cached by their hash). */
  const definitionOf = async (request: FastifyRequest, p: usecases.ProcurementDto): Promise<QuestionnaireDefinition> =>
    (await getQuestionnaire({ db, principal: principalOf(request), id: p.questionnaire.id })).definition;

  /** Every module's facts about these procurements, merged; only what the user may read. */
  async function factsOf(request: FastifyRequest, procurementIds: string[]): Promise<Map<string, ProcurementFacts>> {
    const merged = new Map<string, ProcurementFacts>();
    if (procurementIds.length === 0) return merged;
    for (const hook of hooks.procurementFacts) {
      for (const [id, facts] of await hook({ db, principal: principalOf(request), procurementIds })) merged.set(id, { ...merged.get(id), ...facts });
    }
    return merged;
  }

  const formOf = (request: FastifyRequest): FormBody => (request.body && typeof request.body === 'object' ? (request.body as FormBody) : {});

  /**
   * A POST's checks, in order: the CSRF token (403 "page expired"), the procurement (404), the
   * role (403). Null once one of them has answered; nothing has been changed then.
   */
  async function forChange(request: FastifyRequest, reply: FastifyReply): Promise<(Loaded & { form: FormBody }) | null> {
    const form = formOf(request);
    if (!staff.csrfOk(request, form._csrf)) {
      await staff.csrfRefused(request, reply);
      return null;
    }
    const loaded = await load(request, reply);
    if (!loaded) return null;
    if (!canChange(request)) {
      await notAllowed(request, reply, `/procurements/${loaded.procurement.id}`);
      return null;
    }
    return { ...loaded, form };
  }

  /** The version the form was rendered from, for If-Match: a change made meanwhile is refused, not overwritten. */
  const versionOf = (form: FormBody): number | undefined => {
    const raw = Array.isArray(form.version) ? form.version[0] : form.version;
    return raw && /^\d{1,9}$/.test(raw) ? Number(raw) : undefined;
  };

  const flashBinding = (request: FastifyRequest, path: string) => ({ key: config.secretsKey, session: staff.staffOf(request).id, page: path, now: now() });

  /** After a change: back to `path` (303), which shows `notice` once. */
  function done(request: FastifyRequest, reply: FastifyReply, path: string, notice: string) {
    putFlash(reply, { ...flashBinding(request, path), secure: config.cookieSecure, value: notice });
    return reply.redirect(path, 303);
  }

  /** The banner a change left for this page, once (a reload does not show it again). */
  function noticeFor(request: FastifyRequest, reply: FastifyReply, path: string): { type: 'success'; text: string } | undefined {
    const text = takeFlash<string>(request, reply, flashBinding(request, path));
    return typeof text === 'string' ? { type: 'success', text } : undefined;
  }

  return { db, now, staff, principalOf, ctx, canChange, render, notAllowed, load, definitionOf, factsOf, formOf, forChange, versionOf, done, noticeFor };
}

export type ProcurementWeb = ReturnType<typeof procurementWeb>;
