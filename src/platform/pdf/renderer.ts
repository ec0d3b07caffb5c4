import { Worker } from 'node:worker_threads';
import type { PdfDocument } from './document';
import type { RenderedPdf } from './render';

/** Turns a laid-out document into PDF bytes, somewhere that does not hold up the API. */
export type PdfRenderer = { render: (document: PdfDocument) => Promise<RenderedPdf>; close: () => Promise<void> };

/** On the calling thread: for scripts and for measuring the renderer itself. */
export function createInlineRenderer(): PdfRenderer {
  // pdfkit is loaded here, on the first document, not when the server starts (about 0.25 s of start-up).
  return { render: async (document) => (await import('./render')).renderPdf({ document }), close: async () => {} };
}

type Task = { document: PdfDocument; resolve: (rendered: RenderedPdf) => void; reject: (error: Error) => void };
type Slot = { worker: Worker; task: Task | null };

// The same name, two different files: from the source (tsx) this is src/platform/pdf/worker.mjs, the
// plain-JavaScript shim that loads worker.ts through tsx; from the bundle (`node dist/server.mjs`)
// it is dist/worker.mjs, worker.ts compiled by scripts/build.ts with no tsx anywhere.
const workerUrl = new URL('./worker.mjs', import.meta.url);

/**
 * A fixed pool of worker threads, each drawing one document at a time, and a queue in front of it.
 * A document takes tens to hundreds of milliseconds of CPU; on the event loop that would stall every
 * other request, so it is done here. Workers start on first use; one that dies fails its document
 * and is replaced on the next. One pool serves every feature that draws PDFs.
 */
export function createWorkerRenderer({ workers }: { workers: number }): PdfRenderer {
  const slots: Array<Slot | null> = Array.from({ length: workers }, () => null);
  const queue: Task[] = [];
  let closed = false;

  const start = (index: number): Slot => {
    const worker = new Worker(workerUrl, { execArgv: [] });
    const slot: Slot = { worker, task: null };
    worker.on('message', (message: { pdf?: Uint8Array; pages?: number; error?: string }) => {
      const task = slot.task;
      slot.task = null;
      worker.unref();
      if (task) {
        if (message.pdf) task.resolve({ pdf: Buffer.from(message.pdf.buffer, message.pdf.byteOffset, message.pdf.byteLength), pages: message.pages ?? 0 });
        else task.reject(new Error(`PDF rendering failed: ${message.error ?? 'unknown error'}`));
      }
      pump();
    });
    const fail = (error: Error) => {
      if (slots[index] === slot) slots[index] = null;
      const task = slot.task;
      slot.task = null;
      task?.reject(error);
      pump();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`PDF worker stopped (exit code ${code})`)));
    // An idle pool must not keep the process alive; a busy worker does (see pump).
    worker.unref();
    slots[index] = slot;
    return slot;
  };

  const pump = () => {
    if (closed) return;
    for (let i = 0; i < slots.length && queue.length > 0; i += 1) {
      const slot = slots[i] ?? start(i);
      if (slot.task) continue;
      const task = queue.shift()!;
      slot.task = task;
      slot.worker.ref();
      slot.worker.postMessage({ document: task.document });
    }
  };

  return {
    render: (document) =>
      new Promise<RenderedPdf>((resolve, reject) => {
        if (closed) {
          reject(new Error('The PDF renderer is closed'));
          return;
        }
        queue.push({ document, resolve, reject });
        pump();
      }),
    close: async () => {
      closed = true;
      for (const task of queue.splice(0)) task.reject(new Error('The PDF renderer is closed'));
      await Promise.all(slots.map((slot) => slot?.worker.terminate()));
    },
  };
}

export function createPdfRenderer({ workers }: { workers: number }): PdfRenderer {
  return workers === 0 ? createInlineRenderer() : createWorkerRenderer({ workers });
}
