// A ceiling for a page: fastify answering the page's exact HTML bytes, read once from PAGE_FILE, with the
// page's content type. What any page costs at most with no session, no database and no template.
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';

const html = readFileSync(process.env.PAGE_FILE!);
const app = Fastify({ logger: false });
app.get('/', async (_request, reply) => reply.type('text/html; charset=utf-8').send(html));
await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
const address = app.server.address();
console.log(`listening on http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`);
