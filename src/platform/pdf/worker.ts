import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import type { PdfDocument } from './document';
import { renderPdf } from './render';

// One document at a time, from the pool in renderer.ts. The bytes are copied into their own
// buffer so they can be transferred back without a second copy.
// PDFs are background work: on Linux a thread has its own nice value, so this thread yields the
// CPU to the API's event loop whenever both want it. Where that is not allowed it simply stays as is.
try {
  setPriority(19);
} catch {
  // not permitted here; rendering still works at normal priority
}

parentPort!.on('message', async ({ document }: { document: PdfDocument }) => {
  try {
    const rendered = await renderPdf({ document });
    const pdf = new Uint8Array(rendered.pdf);
    parentPort!.postMessage({ pdf, pages: rendered.pages }, [pdf.buffer]);
  } catch (error) {
    parentPort!.postMessage({ error: error instanceof Error ? error.message : String(error) });
  }
});
