// Forms: how a form sends its command, says beside each field what is wrong (the browser's
// check as one types, the server's message after sending), and names what was recorded once it
// is saved. Most forms are not written out: a page describes one with `commandForm(spec)` (its
// fields, the mutation it sends) and the shell binds every described form after rendering.

import { gql, ApiError } from './api.js';
import { t, lang } from './i18n.js';
import { esc, main, errorText, resultSlot } from './ui.js';
import { shell } from './state.js';

// What a mutation asks back: the record, and the sentences naming what was recorded, in the
// Journal's words.
export const SAVED = 'aggregateId summary summaryEn';

/** The confirmation of the last form saved, shown on its page until the page changes. */
let confirmation = null;

/** The sentences of a mutation's answer (`{ draftAnswer: { summary, summaryEn } }`). */
export function savedLines(result) {
  return Object.values(result || {}).flatMap((r) => (r && Array.isArray(r.summary)
    ? (lang() === 'en' && Array.isArray(r.summaryEn) ? r.summaryEn : r.summary) : []));
}

/** Shows the last confirmation in its form's slot, or at the top of the page if the form is gone. */
export function showConfirmation() {
  if (!confirmation) return;
  if (confirmation.hash !== location.hash) { confirmation = null; return; }
  const said = confirmation.results.flatMap(savedLines);
  const lines = said.length ? said : [t('web-saved')];
  const html = lines.map((l) => `<span class="saved-line">${esc(l)}</span>`).join('<br>');
  const slot = document.getElementById(confirmation.formId)?.querySelector('.form-result');
  if (slot) {
    slot.closest('details')?.setAttribute('open', '');
    slot.innerHTML = html;
    slot.className = 'form-result saved';
    slot.id = 'form-confirmation';
  } else {
    main().insertAdjacentHTML('afterbegin', `<p class="form-result saved" id="form-confirmation" role="status" tabindex="-1">${html}</p>`);
  }
}

/** Sends a form's mutation, re-renders the page on success and says there what was recorded
 * (the server's error beside the form otherwise). `send` returns the mutation's answer. */
export function onSubmit(form, send) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const out = form.querySelector('.form-result');
    out.textContent = '';
    out.className = 'form-result';
    const button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    try {
      const result = await send(new FormData(form));
      form.dataset.dirty = '';
      const results = Array.isArray(result) ? result : [result];
      confirmation = { hash: location.hash, formId: form.id, results };
      await shell.render({ keepFocus: true });
      const said = results.flatMap(savedLines);
      document.getElementById('live-status').textContent = (said.length ? said : [t('web-saved')]).join(' ');
    } catch (error) {
      out.textContent = errorText(error);
      out.className = 'form-result error';
      button.disabled = false;
    }
  });
  form.addEventListener('input', () => { form.dataset.dirty = '1'; });
}

/** Says what was done, at the top of the page (the `confirmation` of a form, in one language). */
export function confirm(text) {
  confirmation = { hash: location.hash, formId: '', results: [{ done: { summary: [text], summaryEn: [text] } }] };
}

// ---------------------------------------------------------------- described forms

/** The forms described by the page being rendered, by form id, until the next render. */
let described = new Map();

/** Forgets the forms of the previous page (called by the shell before each render). */
export function resetForms() {
  described = new Map();
}

/**
 * A form sending one mutation, from its description:
 *
 *     commandForm({
 *       id: 'register-association',           // the form's id; its fields' ids start with it
 *       title: 'web-form-register-association', // catalogue key of its heading (h2, or h3 with `level: 3`)
 *       intro: 'web-…',                        // optional: a catalogue key said under the heading
 *       button: 'web-button-register',        // catalogue key of its button
 *       mutation: 'registerAssociation',      // the mutation, taking `input: <inputType>!`
 *       inputType: 'RegisterAssociationInput',
 *       fields: [                             // in order; see `fieldHtml` for the kinds
 *         { name: 'name', label: 'field-name', required: true, maxlength: 200 },
 *       ],
 *       collapsed: true,                      // optional: shut under its title (pages of many forms)
 *       fixed: { communityId },               // input values not typed in
 *       input: (values, form) => values,      // optional: reshapes the typed values
 *       returns: 'id secret',                 // optional: what to read back, for a mutation whose
 *                                             //   answer is not a CommandResult
 *       done: (result) => {},                 // optional: after success (say, go to the record)
 *     })
 *
 * Empty optional fields are sent as null, numbers as numbers, checkboxes as booleans.
 */
export function commandForm(spec) {
  described.set(spec.id, spec);
  const fields = spec.fields.map((f) => fieldHtml(spec.id, f)).join('');
  const intro = spec.intro ? `<p class="hint">${esc(t(spec.intro))}</p>` : '';
  const body = `${fields}<button type="submit"${spec.secondary ? ' class="secondary"' : ''}>${esc(t(spec.button))}</button>${resultSlot}`;
  if (spec.collapsed) {
    // One of several forms of a page: its title opens it, so that the page stays readable.
    return `<details class="form-panel" id="${esc(spec.id)}-panel"><summary id="${esc(spec.id)}-title">${esc(t(spec.title))}</summary>
      <form id="${esc(spec.id)}" class="command-form" data-command="${esc(spec.mutation)}" aria-labelledby="${esc(spec.id)}-title" novalidate>${intro}${body}</form></details>`;
  }
  const heading = spec.level === 3 ? 'h3' : 'h2';
  return `<form id="${esc(spec.id)}" class="command-form" data-command="${esc(spec.mutation)}" novalidate>
    <${heading}>${esc(t(spec.title))}</${heading}>${intro}${body}</form>`;
}

/**
 * One field of a described form. `kind`: `text` (the default), `textarea`, `date`, `number`,
 * `email`, `select` (with `options: [[value, text], …]`), `checkbox` or `hidden`; `label` and
 * `hint` are catalogue keys; `required`, `min`, `max`, `maxlength`, `step` and `value` as in HTML.
 */
function fieldHtml(formId, f) {
  const id = `${formId}-${f.name}`;
  const attrs = [`id="${esc(id)}"`, `name="${esc(f.name)}"`];
  if (f.required) attrs.push('required');
  for (const a of ['min', 'max', 'maxlength', 'step', 'rows', 'placeholder']) if (f[a] != null) attrs.push(`${a}="${esc(f[a])}"`);
  const described = [f.hint ? `${id}-hint` : '', `${id}-error`].filter(Boolean).join(' ');
  attrs.push(`aria-describedby="${described}"`);
  const kind = f.kind || 'text';
  const value = f.value ?? '';
  if (kind === 'hidden') return `<input type="hidden" ${attrs.slice(0, 2).join(' ')} value="${esc(value)}">`;
  const error = `<p class="field-error" id="${esc(id)}-error" hidden></p>`;
  const hint = f.hint ? `<p class="hint" id="${esc(id)}-hint">${esc(t(f.hint, ...(f.hintArgs || [])))}</p>` : '';
  if (kind === 'checkbox') {
    return `<div class="field inline"><input type="checkbox" ${attrs.join(' ')}${f.value ? ' checked' : ''}><label for="${esc(id)}">${esc(t(f.label))}</label>${hint}${error}</div>`;
  }
  let control;
  if (kind === 'textarea') control = `<textarea ${attrs.join(' ')}>${esc(value)}</textarea>`;
  else if (kind === 'select') {
    // A required choice starts unchosen, so that the form cannot be sent with a guess.
    const choices = f.required && (value === '' || value == null) ? [['', t('web-choose')], ...(f.options || [])] : (f.options || []);
    const options = choices.map(([v, text]) => `<option value="${esc(v)}"${String(v) === String(value) ? ' selected' : ''}>${esc(text)}</option>`).join('');
    control = `<select ${attrs.join(' ')}>${options}</select>`;
  } else control = `<input type="${esc(kind)}" ${attrs.join(' ')} value="${esc(value)}">`;
  return `<div class="field"><label for="${esc(id)}">${esc(t(f.label))}${f.required ? '' : ` <span class="optional">${esc(t('web-optional'))}</span>`}</label>${hint}${control}${error}</div>`;
}

/** The typed values of a described form, as its mutation's input. */
function typedValues(spec, form) {
  const data = new FormData(form);
  const values = {};
  for (const f of spec.fields) {
    const raw = data.get(f.name);
    if (f.kind === 'checkbox') values[f.name] = raw === 'on';
    else if (raw == null || String(raw).trim() === '') values[f.name] = null;
    else if (f.kind === 'number') values[f.name] = Number(raw);
    else values[f.name] = String(raw).trim();
  }
  return values;
}

/** Shows (or clears, with '') a message beside a field. */
function fieldMessage(control, message) {
  const slot = document.getElementById(`${control.id}-error`);
  if (!slot) return;
  slot.textContent = message;
  slot.hidden = !message;
  if (message) control.setAttribute('aria-invalid', 'true');
  else control.removeAttribute('aria-invalid');
}

/** The browser's own check of a field, in the page's language where it can be said better. */
function localMessage(control) {
  const v = control.validity;
  if (v.valid) return '';
  if (v.valueMissing) return t('web-field-required');
  if (v.rangeUnderflow) return t('web-field-too-small', control.type === 'date' ? new Date(`${control.min}T00:00:00Z`).toLocaleDateString(lang() === 'en' ? 'en-GB' : 'fr-FR', { timeZone: 'UTC' }) : control.min);
  if (v.rangeOverflow) return t('web-field-too-large', control.type === 'date' ? new Date(`${control.max}T00:00:00Z`).toLocaleDateString(lang() === 'en' ? 'en-GB' : 'fr-FR', { timeZone: 'UTC' }) : control.max);
  if (v.tooLong) return t('web-field-too-long', control.maxLength);
  return control.validationMessage;
}

/** Binds every form the page described: checks as one leaves a field, sends on submit. */
export function bindCommandForms() {
  for (const form of main().querySelectorAll('form[data-command]')) {
    const spec = described.get(form.id);
    if (!spec) continue;
    const controls = [...form.querySelectorAll('input:not([type=hidden]), select, textarea')];
    for (const control of controls) {
      control.addEventListener('blur', () => fieldMessage(control, localMessage(control)));
      control.addEventListener('input', () => { if (control.getAttribute('aria-invalid')) fieldMessage(control, localMessage(control)); });
    }
    spec.bind?.(form);
    onSubmit(form, async () => {
      const wrong = controls.filter((c) => !c.disabled && !c.validity.valid);
      for (const c of controls) fieldMessage(c, c.validity.valid ? '' : localMessage(c));
      if (wrong.length) {
        wrong[0].focus();
        throw new ApiError(t('web-form-has-errors', wrong.length), null, 'INVALID_INPUT');
      }
      const typed = typedValues(spec, form);
      try {
        // `input` may refuse what was typed, with an ApiError naming the field.
        const input = { ...(spec.fixed || {}), ...(spec.input ? spec.input(typed, form) : typed) };
        const result = await gql(`mutation($input: ${spec.inputType}!) { ${spec.mutation}(input: $input) { ${spec.returns || SAVED} } }`, { input });
        await spec.done?.(result[spec.mutation]);
        return result;
      } catch (error) {
        // The server names the field it refuses, when it is one of the form's: said beside it.
        const control = error.field && form.querySelector(`[name="${CSS.escape(error.field)}"]`);
        if (control && control.type !== 'hidden') {
          fieldMessage(control, errorText(error));
          control.focus();
        }
        throw error;
      }
    });
  }
}
