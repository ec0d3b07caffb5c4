import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { principalOf } from '../../platform/auth';
import { projectRoot } from '../../platform/project-root';
import { zodApp, type AppDeps } from '../../platform/http/deps';
import { RESULTS_READERS } from '../scoring';
import { ocdsReleasePackage } from './ocds.usecases';


// The serializer writes only declared fields: every object here is loose, so nothing OCDS carries is dropped.
const releaseSchema = z
  .looseObject({
    ocid: z.string(),
    id: z.string(),
    date: z.iso.datetime(),
    tag: z.array(z.string()),
    initiationType: z.literal('tender'),
    language: z.string(),
    parties: z.array(z.any()).describe('The council (`buyer`, `procuringEntity`) and each bidder (`tenderer`; `supplier` when awarded).'),
    buyer: z.any().describe('`{id, name}` of the council in `parties`.'),
    tender: z
      .any()
      .describe('`criteria` (requirements extension: one criterion per section, requirement id = question key) and one lot whose `awardCriteria` (award criteria extension) carry the section weights and the gateways as thresholds.'),
    bids: z
      .any()
      .optional()
      .describe('`details[]` (bid extension): one per submitted or withdrawn response, with its non-confidential `requirementResponses` and the local `evaluation` extension.'),
    awards: z.any().optional().describe('When an award is recorded: the awarded bid.'),
  })
  .describe('One OCDS release.');

const releasePackageSchema = z
  .looseObject({
    uri: z.string(),
    version: z.literal('1.1'),
    extensions: z.array(z.string()),
    publishedDate: z.iso.datetime(),
    publisher: z.looseObject({ name: z.string() }),
    releases: z.array(releaseSchema),
  })
  .meta({ id: 'OcdsReleasePackage' });

const readExtensionFile = (name: string) => readFileSync(path.join(projectRoot(), 'openapi/ocds-extension', name), 'utf8');

export function registerOcdsApi(app: FastifyInstance, { database, now, config }: AppDeps): void {
  const r = zodApp(app);
  r.get(
    '/v1/procurements/:id/ocds',
    {
      config: { access: RESULTS_READERS },
      schema: {
        tags: ['integrations'],
        operationId: 'getOcdsReleasePackage',
        summary: 'The procurement as an OCDS 1.1 release package',
        description:
          'One release, tagged by stage (`planning` for a draft, `tender` while open, closed or being evaluated, `award` or `tenderUpdate` after the decision, `tenderCancellation`). Uses the lots, bids, requirements and award criteria extensions, and our local extension `Bid.evaluation` (scores, rating, gateways, method and questionnaire versions), described at `/ocds-extension/extension.json`. Answers marked confidential are never exported; the others (`requirementResponses`) only to council staff and to API keys that also hold `responses:read`.',
        params: z.object({ id: z.uuid() }),
        response: { 200: releasePackageSchema },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'private, no-store');
      return ocdsReleasePackage({ db: database.db, now: now(), principal: principalOf(request), procurementId: request.params.id, ocidPrefix: config.ocdsOcidPrefix, publicBaseUrl: config.publicBaseUrl });
    },
  );

  // The local extension, public as OCDS tools expect, at the URL the packages list in `extensions`.
  for (const name of ['extension.json', 'release-schema.json']) {
    const body = readExtensionFile(name);
    app.get(`/ocds-extension/${name}`, { config: { access: 'public' }, schema: { hide: true } }, async (_request, reply) => reply.type('application/json; charset=utf-8').send(body));
  }
}
