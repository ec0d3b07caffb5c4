import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { isAppError } from '../../platform/errors';
import type { ConsoleDeps } from '../accounts';

const isId = (value: string) => z.uuid().safeParse(value).success;

/**
 * What a console page about one submitted response reads first, whatever it shows (moderation,
 * the conditions register): the record from its use case, or the page already sent. The console's
 * 404 for unknown or malformed ids, another council's, a response of another procurement or one
 * not submitted; the declaration page first for a panel member who has not declared (or whose
 * conflict is not mitigated); `refused` for anyone else the use case refuses with 403.
 */
export async function loadResponsePage<R extends { procurement: { id: string } }>({
  request,
  reply,
  staff,
  procurementId,
  responseId,
  read,
  refused,
}: {
  request: FastifyRequest;
  reply: FastifyReply;
  staff: ConsoleDeps['staff'];
  procurementId: string;
  responseId: string;
  read: (responseId: string) => Promise<R>;
  refused: () => unknown;
}): Promise<R | null> {
  if (!isId(procurementId) || !isId(responseId)) {
    await staff.notFound(request, reply);
    return null;
  }
  try {
    const record = await read(responseId);
    if (record.procurement.id === procurementId) return record;
    await staff.notFound(request, reply);
    return null;
  } catch (error) {
    if (!isAppError(error)) throw error;
    if (error.code === 'evaluations.declaration_required' || error.code === 'evaluations.conflict_unmitigated') {
      await reply.redirect(`/evaluations/${procurementId}/declaration`, 303);
      return null;
    }
    if (error.status === 403) {
      await refused();
      return null;
    }
    // Unknown, another council's, or not submitted (nothing to show).
    if (error.status === 404 || error.code === 'evaluations.response_not_submitted') {
      await staff.notFound(request, reply);
      return null;
    }
    throw error;
  }
}
