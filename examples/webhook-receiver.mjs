// Receives and verifies our webhooks. Run: npm install standardwebhooks, then
// WEBHOOK_SECRET=whsec_… PORT=4000 node examples/webhook-receiver.mjs
import http from 'node:http';
import { Webhook } from 'standardwebhooks';

const webhook = new Webhook(process.env.WEBHOOK_SECRET);
const seen = new Set(); // keep this durable in real life: retries reuse the same webhook-id

http
  .createServer((request, response) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let event;
      try {
        // Checks the HMAC signature and that the timestamp is within 5 minutes.
        event = webhook.verify(body, request.headers);
      } catch {
        response.writeHead(400).end('bad signature');
        return;
      }
      const id = request.headers['webhook-id'];
      if (!seen.has(id)) {
        seen.add(id);
        // Thin payload: fetch the current state from event.data.url with your API key.
        console.log(`verified ${id} ${event.type} ${event.data.url}`);
      }
      response.writeHead(204).end();
    });
  })
  .listen(Number(process.env.PORT ?? 4000), '127.0.0.1', () => console.log('listening'));
