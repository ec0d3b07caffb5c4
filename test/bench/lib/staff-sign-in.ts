// Signing a council user in to the console as a browser does, for the page scenarios (S6, S12).
import { performance } from 'node:perf_hooks';
import type { SmtpCapture } from '../../helpers/smtp-server';

/** `name=value` of each Set-Cookie, merged over `jar`. */
function keepCookies(jar: Map<string, string>, response: Response): void {
  for (const line of response.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const at = pair!.indexOf('=');
    if (at > 0) jar.set(pair!.slice(0, at), pair!.slice(at + 1));
  }
}
const cookieHeader = (jar: Map<string, string>) => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
export const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1];

/**
 * Signs `email` in as a browser does: the sign-in page, the email address posted, the link taken
 * from the email, the link's page, and its button pressed. Returns the cookie header.
 */
export async function signIn(base: string, mail: SmtpCapture, email: string): Promise<string> {
  const jar = new Map<string, string>();
  const form = async (path: string, fields: Record<string, string>) => {
    const response = await fetch(`${base}${path}`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookieHeader(jar) }, body: new URLSearchParams(fields).toString() });
    keepCookies(jar, response);
    await response.arrayBuffer();
    return response;
  };
  const page = async (path: string) => {
    const response = await fetch(`${base}${path}`, { redirect: 'manual', headers: { cookie: cookieHeader(jar) } });
    keepCookies(jar, response);
    return { status: response.status, html: await response.text() };
  };
  const signInPage = await page('/sign-in');
  const asked = await form('/sign-in/email', { _csrf: csrfOf(signInPage.html) ?? '', email });
  if (asked.status !== 303) throw new Error(`POST /sign-in/email answered ${asked.status}`);
  // The email is sent after the answer: the inbox is read until it holds the link, for up to 10 s.
  let link: string | undefined;
  for (const until = performance.now() + 10_000; !link && performance.now() < until; await new Promise((resolve) => setTimeout(resolve, 100))) {
    link = mail.received.filter((m) => m.to.includes(email)).map((m) => /\/sign-in\/link\/[A-Za-z0-9_-]+/.exec(m.text)?.[0]).find(Boolean);
  }
  if (!link) throw new Error(`no sign-in link emailed to ${email} after 10 s`);
  const linkPage = await page(link);
  const action = /<form[^>]*method="post"[^>]*action="([^"]+)"/.exec(linkPage.html)?.[1] ?? link;
  const used = await form(action, { _csrf: csrfOf(linkPage.html) ?? '' });
  if (used.status !== 303 || !jar.has('aidd_staff')) throw new Error(`signing in with the link answered ${used.status} without a staff session cookie`);
  return `aidd_staff=${jar.get('aidd_staff')}`;
}
