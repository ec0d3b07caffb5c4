import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { principalOf } from '../../platform/auth';
import { projectRoot } from '../../platform/project-root';
import { zodApp, type AppDeps } from '../../platform/http/deps';
import { RESULTS_READERS } from '../scoring';
import { DEFAULT_OCID_PREFIX } from './ocds.models';
import { ocdsRecordPackage, ocdsReleasePackage } from './ocds.usecases';

// The serializer writes only declared fields: every object here is loose, so nothing OCDS carries is dropped.
const releaseSchema = z
  .looseObject({
    ocid: z.string(),
    id: z.string().describe('`<ocid>-<sequence>-<tag>`: the same on every read; a release is stored once and never changed.'),
    date: z.iso.datetime().describe('When the change it records happened (opening, the decision, cancelling), else when it was first stored.'),
    tag: z.array(z.string()),
    initiationType: z.literal('tender'),
    language: z.string(),
    parties: z.array(z.any()).describe('The council (`buyer`, `procuringEntity`); from the award, each bidder (`tenderer`; `supplier` when awarded), identified by company number (`GB-COH`) or Central Digital Platform identifier (`GB-PPON`) where known.'),
    buyer: z.any().describe('`{id, name}` of the council in `parties`.'),
    tender: z
      .any()
      .describe('`id` the procurement’s reference (else its id); `tenderPeriod.endDate` the advertised deadline; `criteria` (requirements extension: one criterion per section, requirement id = question key) and one lot whose `awardCriteria` (award criteria extension) carry the section weights and the gateways as thresholds.'),
    bids: z
      .any()
      .optional()
      .describe('Award releases only: `details[]` (bid extension), one per submitted or withdrawn response, as the procurement’s `ocdsDisclosure` allows: `bidders` who bid; `scores` adds `rank`, `hasRank` and the local `evaluation` extension; `answers` adds the non-confidential `requirementResponses`.'),
    awards: z.any().optional().describe('When an award is recorded: the awarded bid.'),
  })
  .describe('One OCDS release.');

const packageFields = {
  uri: z.string(),
  version: z.literal('1.1'),
  extensions: z.array(z.string()),
  publishedDate: z.iso.datetime().describe('The latest release’s date: the same until the procurement changes.'),
  publisher: z.looseObject({ name: z.string() }),
};

const releasePackageSchema = z.looseObject({ ...packageFields, releases: z.array(releaseSchema) }).meta({ id: 'OcdsReleasePackage' });

const recordPackageSchema = z
  .looseObject({
    ...packageFields,
    packages: z.array(z.string()).describe('The release package the linked releases are in.'),
    records: z.array(
      z.looseObject({
        ocid: z.string(),
        releases: z.array(z.looseObject({ url: z.string(), date: z.iso.datetime(), tag: z.array(z.string()) })).describe('Each stored release, oldest first, linked as `<release package uri>#<release id>`.'),
        compiledRelease: releaseSchema.describe('The releases merged by the OCDS merge rules: the current state, tagged `compiled`.'),
        versionedRelease: z
          .looseObject({ ocid: z.string() })
          .describe('The history: each field as the list of its values `{releaseID, releaseDate, releaseTag, value}`, a new entry only where a release changed it; items of lists merged by id keep their `id` unversioned.'),
      }),
    ),
  })
  .meta({ id: 'OcdsRecordPackage' });

const ACCESS_TEXT =
  'For council staff (admin, officer, viewer) and API keys with `scores:read`; 404 for another council’s procurement. Each read stores a new release first when what the procurement’s stage publishes has changed since the latest one.';

const readExtensionFile = (name: string) => readFileSync(path.join(projectRoot(), 'openapi/ocds-extension', name), 'utf8');

export function registerOcdsApi(app: FastifyInstance, { database, now, config }: AppDeps): void {
  // An ocid must be unique in the world: publishing under the shared default would clash with every other install.
  if (config.ocdsOcidPrefix === DEFAULT_OCID_PREFIX)
    app.log.warn(`OCDS_OCID_PREFIX is the default ${DEFAULT_OCID_PREFIX}: register a prefix for this publisher with the Open Contracting Partnership and set it before publishing OCDS data.`);

  const r = zodApp(app);
  const ctx = (request: { params: { id: string } }, principal: ReturnType<typeof principalOf>) => ({
    db: database.db,
    now: now(),
    principal,
    procurementId: request.params.id,
    ocidPrefix: config.ocdsOcidPrefix,
    publicBaseUrl: config.publicBaseUrl,
  });
  r.get(
    '/v1/procurements/:id/ocds',
    {
      config: { access: RESULTS_READERS },
      schema: {
        tags: ['integrations'],
        operationId: 'getOcdsReleasePackage',
        summary: 'The procurement’s OCDS 1.1 releases, as a release package',
        description: `Every stored release, oldest first, each tagged by stage (\`planning\` for a draft, \`tender\` once open, \`award\` or \`tenderUpdate\` after the decision, \`tenderCancellation\`; a later change within a stage is its \`…Update\`). Planning and tender releases describe the procurement and its criteria only; bids appear from the award, as far as the procurement’s \`ocdsDisclosure\` allows, and answers marked confidential never; an API key without \`responses:read\` gets no answers at all. Uses the lots, bids, requirements and award criteria extensions, and our local extension \`Bid.evaluation\`, described at \`/ocds-extension/extension.json\`. ${ACCESS_TEXT}`,
        params: z.object({ id: z.uuid() }),
        response: { 200: releasePackageSchema },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'private, no-store');
      return ocdsReleasePackage(ctx(request, principalOf(request)));
    },
  );

  r.get(
    '/v1/procurements/:id/ocds/record',
    {
      config: { access: RESULTS_READERS },
      schema: {
        tags: ['integrations'],
        operationId: 'getOcdsRecordPackage',
        summary: 'The procurement as an OCDS 1.1 record package',
        description: `One record: its releases linked into the release package (\`/v1/procurements/{id}/ocds#<release id>\`) and the compiled release, the releases merged by the OCDS merge rules. No versioned release. ${ACCESS_TEXT}`,
        params: z.object({ id: z.uuid() }),
        response: { 200: recordPackageSchema },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'private, no-store');
      return ocdsRecordPackage(ctx(request, principalOf(request)));
    },
  );

  // The local extension, public as OCDS tools expect, at the URL the packages list in `extensions`.
  for (const name of ['extension.json', 'release-schema.json']) {
    const body = readExtensionFile(name);
    app.get(`/ocds-extension/${name}`, { config: { access: 'public' }, schema: { hide: true } }, async (_request, reply) => reply.type('application/json; charset=utf-8').send(body));
  }
}
