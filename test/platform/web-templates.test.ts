// memoiseTemplateLookups (src/platform/web/web.ts): remembering resolved template names and the macros a
// template exports must not change a single byte of any page, however often and with whatever data.
import { createRequire } from 'node:module';
import path from 'node:path';
import nunjucks from 'nunjucks';
import { describe, expect, it } from 'vitest';
import { memoiseTemplateLookups } from '../../src/platform/web/web';

const dist = path.dirname(createRequire(import.meta.url).resolve('govuk-frontend/package.json')) + '/dist';
const views = path.resolve(import.meta.dirname, '../../src/views');

function environment(memoised: boolean): nunjucks.Environment {
  const env = new nunjucks.Environment(new nunjucks.FileSystemLoader([views, dist]), { autoescape: true });
  if (memoised) memoiseTemplateLookups(env);
  return env;
}

const page = `{% from "govuk/components/radios/macro.njk" import govukRadios %}
{% from "govuk/components/input/macro.njk" import govukInput %}
{% from "govuk/components/error-summary/macro.njk" import govukErrorSummary %}
{% if errors.length %}{{ govukErrorSummary({ titleText: "There is a problem", errorList: errors }) }}{% endif %}
{% for q in questions %}
  {% if q.options %}
    {{ govukRadios({ name: q.key, fieldset: { legend: { text: q.label } }, items: q.options, errorMessage: { text: q.error } if q.error else undefined }) }}
  {% else %}
    {{ govukInput({ id: q.key, name: q.key, label: { text: q.label }, value: q.value, errorMessage: { text: q.error } if q.error else undefined }) }}
  {% endif %}
{% endfor %}`;

const first = {
  errors: [],
  questions: [
    { key: 'q1', label: 'Who controls the data?', options: [{ value: 'council', text: 'The council' }, { value: 'supplier', text: 'The supplier', checked: true }] },
    { key: 'q2', label: 'Contract value', value: '1200' },
  ],
};
const second = {
  errors: [{ text: 'Enter a number', href: '#q2' }],
  questions: [
    { key: 'q3', label: 'Is a person in the loop?', options: [{ value: 'yes', text: 'Yes' }, { value: 'no', text: 'No' }], error: 'Choose one' },
    { key: 'q2', label: 'Contract value', value: 'twelve', error: 'Enter a number' },
  ],
};

describe('remembered template lookups', () => {
  it('render every page exactly as nunjucks does, the first time and every later time, whatever the data', () => {
    const plain = environment(false);
    const memoised = environment(true);
    for (const data of [first, second, first, second]) {
      const expected = plain.renderString(page, data);
      expect(memoised.renderString(page, data)).toBe(expected);
    }
    // The data really reaches the page: the two renders differ where their data does.
    expect(memoised.renderString(page, second)).toContain('Choose one');
    expect(memoised.renderString(page, first)).not.toContain('Choose one');
  });

  it('resolve each relative template name once, not on every render', () => {
    const env = environment(true);
    const loader = (env as unknown as { loaders: Array<{ resolve: (from: string, to: string) => string }> }).loaders[0]!;
    const resolve = loader.resolve.bind(loader);
    let resolutions = 0;
    loader.resolve = (from, to) => {
      resolutions += 1;
      return resolve(from, to);
    };
    env.renderString(page, second);
    const afterFirst = resolutions;
    expect(afterFirst).toBeGreaterThan(0);
    env.renderString(page, second);
    env.renderString(page, first);
    expect(resolutions).toBe(afterFirst);
  });

  it('render a whole page of ours (the supplier layout, with its blocks and imports) as nunjucks does', () => {
    const plain = environment(false);
    const memoised = environment(true);
    const context = { title: 'Your due diligence questionnaire', serviceName: 'AI supplier due diligence', council: 'Example Council', cspNonce: 'n0nce' };
    const template = 'respond/signed-out.njk';
    expect(memoised.render(template, context)).toBe(plain.render(template, context));
    expect(memoised.render(template, { ...context, council: 'Another Council' })).toBe(plain.render(template, { ...context, council: 'Another Council' }));
  });
});
