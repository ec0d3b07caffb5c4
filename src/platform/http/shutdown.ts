import type { FastifyInstance } from 'fastify';
import { sendProblem } from '../errors';

/**
 * While the service shuts down, a request that still arrives on an open connection (pipelined, or
 * on a busy keep-alive socket) is refused as problem+json 503 with Retry-After, closing the
 * connection, so a load balancer or client retries elsewhere. Fastify's own fast path for this
 * (`return503OnClosing`) writes plain JSON without our headers, so the app turns it off.
 */
export function registerShutdownGate(app: FastifyInstance): void {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
    app.log.info('shutting down: refusing new requests with 503');
  });
  app.addHook('onRequest', async (request, reply) => {
    if (!closing) return;
    reply.header('connection', 'close');
    return sendProblem(reply, request, {
      status: 503,
      code: 'service.shutting_down',
      title: 'The service is restarting',
      detail: 'Send the request again in a few seconds.',
      headers: { 'retry-after': '5' },
    });
  });
}
