import type { FastifyInstance } from 'fastify';
import { parseHTML } from 'linkedom';
import supertest from 'supertest';

/** The part of a DOM element these helpers use (the project's TypeScript has no DOM library). */
type Element = {
  textContent: string | null;
  tagName: string;
  getAttribute(name: string): string | null;
  hasAttribute(name: string): boolean;
  closest(selector: string): Element | null;
  querySelector(selector: string): Element | null;
  querySelectorAll(selector: string): Iterable<Element>;
};

/**
 * A browser stand-in for journey tests over HTTP: supertest's agent on the app's own server keeps
 * the cookies (as a browser would, except that like curl's jar it sends a `Secure` cookie over
 * https only, so journey tests run the app with COOKIE_SECURE=false), follows no redirect by itself,
 * and hands each answer back as status, headers and text; `readPage` reads the pages.
 */
export function webAgent(app: FastifyInstance) {
  let agent: ReturnType<typeof supertest.agent> | null = null;
  const ready = async () => {
    if (!agent) {
      await app.ready();
      agent = supertest.agent(app.server);
    }
    return agent;
  };
  const answer = (res: supertest.Response) => ({ statusCode: res.status, headers: res.headers as Record<string, string | string[] | undefined>, body: res.text ?? '', raw: res.body as unknown });
  const form = (values: Record<string, string | string[]>) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(values)) for (const item of Array.isArray(v) ? v : [v]) params.append(k, item);
    return params.toString();
  };
  return {
    get: async (url: string, headers: Record<string, string> = {}) => answer(await (await ready()).get(url).set(headers).redirects(0)),
    post: async (url: string, values: Record<string, string | string[]>) => answer(await (await ready()).post(url).type('form').send(form(values)).redirects(0)),
    /** A multipart form as a browser sends it: fields, then files (name, file name and bytes). */
    upload: async (url: string, fields: Record<string, string>, files: Array<{ field?: string; filename: string; bytes: Buffer; contentType?: string }>) => {
      let request = (await ready()).post(url).redirects(0);
      for (const [k, v] of Object.entries(fields)) request = request.field(k, v);
      for (const f of files) request = request.attach(f.field ?? 'file', f.bytes, { filename: f.filename, contentType: f.contentType ?? 'application/octet-stream' });
      return answer(await request);
    },
    /** Hand-made multipart bytes, for malformed-input tests only. */
    postMultipart: async (url: string, multipart: { payload: Buffer; contentType: string }) => answer(await (await ready()).post(url).set('content-type', multipart.contentType).send(multipart.payload).redirects(0)),
    /** A binary download (PDF, workbook): its status, headers and bytes. */
    download: async (url: string) => {
      const { status, headers, bytes } = await downloadWith(await ready(), url);
      return { statusCode: status, headers, bytes };
    },
  };
}

/** A download as the browser gets it, with a supertest agent (cookies and all): status, headers and the exact bytes, no redirect followed. */
export async function downloadWith(agent: ReturnType<typeof supertest.agent>, url: string): Promise<{ status: number; headers: Record<string, string>; bytes: Buffer }> {
  const res = await agent
    .get(url)
    .redirects(0)
    .buffer(true)
    .parse((response, done) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => done(null, Buffer.concat(chunks)));
    });
  return { status: res.status, headers: res.headers as Record<string, string>, bytes: res.body as Buffer };
}

const text = (el: Element | null | undefined) => (el?.textContent ?? '').replace(/\s+/g, ' ').trim();

export type Page = ReturnType<typeof readPage>;

/** A page's DOM with queries by role, label and name. */
export function readPage(html: string) {
  const { document } = parseHTML(html);
  const all = (selector: string) => [...(document.querySelectorAll(selector) as unknown as Iterable<Element>)];
  const named = (elements: Element[], name: string | RegExp) => elements.find((el) => (typeof name === 'string' ? text(el) === name : name.test(text(el))));
  return {
    document,
    title: document.title.trim(),
    h1: all('h1').map(text),
    text: text(document.body),
    /** The form control a <label> (or a fieldset legend, for a group) with this text names. */
    byLabel(label: string | RegExp): Element | undefined {
      const found = named(all('label'), label);
      const id = found?.getAttribute('for');
      return id ? ((document.getElementById(id) as unknown as Element | null) ?? undefined) : undefined;
    },
    link: (name: string | RegExp) => named(all('a'), name),
    button: (name: string | RegExp) => named(all('button'), name),
    heading: (name: string | RegExp) => named(all('h1, h2, h3'), name),
    errorSummary: () => all('.govuk-error-summary__list a').map((a) => ({ href: a.getAttribute('href'), text: text(a) })),
    inlineErrors: () => all('.govuk-error-message').map(text),
    /** Every field of the form containing `within` (or the first form), as a browser would post it now. */
    formValues(within?: Element): Record<string, string | string[]> {
      const form = (within?.closest('form') ?? (document.querySelector('form') as unknown as Element | null))!;
      const values: Record<string, string | string[]> = {};
      const add = (name: string, value: string) => {
        const existing = values[name];
        values[name] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
      };
      for (const el of [...form.querySelectorAll('input, textarea, select')]) {
        const name = el.getAttribute('name');
        if (!name) continue;
        const type = el.getAttribute('type') ?? 'text';
        if ((type === 'radio' || type === 'checkbox') && !el.hasAttribute('checked')) continue;
        if (type === 'file' || type === 'submit') continue;
        add(name, el.tagName === 'TEXTAREA' ? (el.textContent ?? '') : (el.getAttribute('value') ?? (type === 'checkbox' || type === 'radio' ? 'on' : '')));
      }
      return values;
    },
    summary: () => all('.govuk-summary-list__row').map((row) => ({ key: text(row.querySelector('.govuk-summary-list__key')), value: text(row.querySelector('.govuk-summary-list__value')) })),
  };
}
