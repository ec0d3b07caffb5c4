import type { FastifyInstance } from 'fastify';
import { parseHTML } from 'linkedom';

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
 * A browser stand-in for journey tests over HTTP: keeps cookies, follows nothing by itself, and
 * reads pages the way a person or a screen reader would (by role, label and name).
 */
export function webAgent(app: FastifyInstance) {
  const jar = new Map<string, string>();
  const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const keep = (setCookie: string | string[] | undefined) => {
    for (const line of Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : []) {
      const [pair] = line.split(';');
      const [name, ...rest] = pair!.split('=');
      const value = rest.join('=');
      if (/expires=Thu, 01 Jan 1970/i.test(line) || value === '') jar.delete(name!.trim());
      else jar.set(name!.trim(), value);
    }
  };
  const request = async (method: 'GET' | 'POST', url: string, body?: { form?: Record<string, string | string[]>; multipart?: { payload: Buffer; contentType: string } }) => {
    const headers: Record<string, string> = { cookie: cookieHeader() };
    let payload: string | Buffer | undefined;
    if (body?.form) {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(body.form)) for (const item of Array.isArray(v) ? v : [v]) params.append(k, item);
      payload = params.toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    } else if (body?.multipart) {
      payload = body.multipart.payload;
      headers['content-type'] = body.multipart.contentType;
    }
    const response = await app.inject({ method, url, headers, ...(payload !== undefined ? { payload } : {}) });
    keep(response.headers['set-cookie']);
    return response;
  };
  return {
    jar,
    get: (url: string) => request('GET', url),
    post: (url: string, form: Record<string, string | string[]>) => request('POST', url, { form }),
    postMultipart: (url: string, multipart: { payload: Buffer; contentType: string }) => request('POST', url, { multipart }),
  };
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
