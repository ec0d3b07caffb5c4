// Copies the scores feed into your system: walks every page, then polls for changes.
// Run: API=http://localhost:3000 TOKEN=aidd_key_… node examples/poll-scores.mjs
// (Node 18+, no dependencies.) Keep `resume` somewhere durable between runs.
const { API, TOKEN } = process.env;
let resume = process.env.CURSOR ?? null;

async function pollOnce() {
  let cursor = resume;
  for (;;) {
    const url = new URL('/v1/scores', API);
    url.searchParams.set('limit', '100');
    if (cursor) url.searchParams.set('cursor', cursor);
    const response = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
    if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
    const page = await response.json();
    for (const item of page.items) {
      // Upsert by responseId: a later item for the same response replaces the earlier one.
      console.log(`${item.updatedAt} ${item.responseId} ${item.supplierName}: ${item.status} ${item.overallScore ?? '-'} ${item.rating ?? '-'}${item.final ? '' : ' (provisional)'}`);
    }
    resume = page.resumeCursor; // where to start next time
    if (!page.nextCursor) return;
    cursor = page.nextCursor;
  }
}

await pollOnce();
console.log(`resume from: ${resume}`);
if (process.env.POLL_SECONDS) setInterval(() => pollOnce().catch(console.error), Number(process.env.POLL_SECONDS) * 1000);
