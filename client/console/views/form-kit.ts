// Form widgets of the console's action forms (cycle and incident pages): a labelled row with its hint and
// the field's error, inputs that keep what was typed and point screen readers at the error, and the
// form-level error. Generic over each page's form names.
import { randomUUID } from 'node:crypto';
import { html, raw, type Html, type Renderable } from '../html';

/** A refused form, shown again with what was typed and the error (on a field, or on the form). */
export interface FormState<F extends string> {
  form: F;
  values: Record<string, string>;
  error: { message: string; field?: string };
}

export type Control = (value: string, invalid: boolean) => Html;

export function field<F extends string>(
  state: FormState<F> | undefined,
  form: F,
  name: string,
  label: string,
  control: Control,
  hint?: Renderable,
  defaultValue = '',
): Html {
  const mine = state?.form === form ? state : undefined;
  const value = mine ? (mine.values[name] ?? '') : defaultValue;
  const error = mine?.error.field === name ? mine.error.message : undefined;
  const id = `${form}-${name}`;
  return html`<div class="form-row ${error ? 'has-error' : ''}">
    <label for="${id}">${label}</label>
    ${control(value, Boolean(error))} ${hint ? html`<div class="hint">${hint}</div>` : ''}
    ${error ? html`<div class="field-error" id="${id}-error" role="alert">${error}</div>` : ''}
  </div>`;
}

function aria(form: string, name: string, invalid: boolean): Html | string {
  return invalid ? html`aria-invalid="true" aria-describedby="${form}-${name}-error"` : '';
}

export function input(form: string, name: string, type: string, extra: Html | string = ''): Control {
  return (value, invalid) =>
    html`<input type="${type}" id="${form}-${name}" name="${name}" value="${value}" ${aria(form, name, invalid)} ${extra} />`;
}

export function textarea(form: string, name: string): Control {
  return (value, invalid) => html`<textarea id="${form}-${name}" name="${name}" ${aria(form, name, invalid)}>${value}</textarea>`;
}

export function select(form: string, name: string, options: { value: string; label: string }[]): Control {
  return (value, invalid) =>
    html`<select id="${form}-${name}" name="${name}" ${aria(form, name, invalid)}>
      ${options.map((o) => html`<option value="${o.value}" ${o.value === value ? raw('selected') : ''}>${o.label}</option>`)}
    </select>`;
}

/** The form's own error (one not tied to a field), under the form's title. */
export function formError<F extends string>(state: FormState<F> | undefined, form: F): Renderable {
  if (state?.form !== form || state.error.field) return '';
  return html`<div class="field-error" role="alert">${state.error.message}</div>`;
}

/**
 * The hidden request id of an action form: fresh each time the form is rendered, so sending the same
 * form twice (a double click, a browser resend) is one request to the workflow (its updateId).
 */
export function requestIdInput(): Html {
  return html`<input type="hidden" name="requestId" value="${randomUUID()}" />`;
}
