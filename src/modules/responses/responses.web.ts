import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../platform/http/deps';
import { hideFromOpenApi, registerWeb } from '../../platform/web';
import { registerClarificationPages } from './clarifications.web';
import { registerEvidencePages } from './evidence.web';
import { registerReceiptPages } from './receipt.web';
import { registerImportPages } from './imports.web';
import { registerSectionPages } from './sections.web';
import { registerSessionPages } from './sessions.web';
import { registerSubmissionPages } from './submission.web';
import { registerTeamPages } from './team.web';
import { webHelpers } from './web.context';

/**
 * The supplier web form (GOV.UK Design System, works without JavaScript). It calls the same use
 * cases as the supplier API, with the supplier's own principal from its session; every rule about
 * answers, evidence and submission lives there, not here. Each group of pages has its own file.
 */
export function registerResponsesWeb(app: FastifyInstance, deps: AppDeps): void {
  app.register(async (web) => {
    hideFromOpenApi(web);
    await registerWeb(web);
    const withHelpers = { ...deps, web: webHelpers(deps) };
    registerSessionPages(web, withHelpers);
    registerSectionPages(web, withHelpers);
    registerEvidencePages(web, withHelpers);
    registerImportPages(web, withHelpers);
    registerSubmissionPages(web, withHelpers);
    registerReceiptPages(web, withHelpers);
    registerClarificationPages(web, withHelpers);
    registerTeamPages(web, withHelpers);
  });
}
