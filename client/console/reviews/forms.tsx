// Form widgets of the review pages as hono/jsx components: a labelled row that shows the field's
// error and keeps what was typed, the form-level error, and the hidden request id (one per rendered
// form, so a resent form is one request to the workflow).
import { randomUUID } from 'node:crypto';
import type { Child } from 'hono/jsx';

/** A refused form, shown again with what was typed and the error (on a field, or on the form). */
export interface ReviewFormState {
  form: string;
  values: Record<string, string>;
  error: { message: string; field?: string };
}

/** What a form row needs: the form it belongs to and its state when the form was refused. */
export interface FormCtx {
  form: string;
  state?: ReviewFormState;
}

export const valueOf = (f: FormCtx, name: string, fallback = ''): string =>
  f.state?.form === f.form ? (f.state.values[name] ?? '') : fallback;

export const errorOf = (f: FormCtx, name: string): string | undefined =>
  f.state?.form === f.form && f.state.error.field === name ? f.state.error.message : undefined;

export const idOf = (f: FormCtx, name: string) => `${f.form}-${name}`;

/** aria attributes pointing a control at its error. */
export function aria(f: FormCtx, name: string): Record<string, string> {
  return errorOf(f, name) ? { 'aria-invalid': 'true', 'aria-describedby': `${idOf(f, name)}-error` } : {};
}

export function Row({ f, name, label, hint, children }: { f: FormCtx; name: string; label: string; hint?: Child; children?: Child }) {
  const error = errorOf(f, name);
  return (
    <div class={`form-row ${error ? 'has-error' : ''}`}>
      <label for={idOf(f, name)}>{label}</label>
      {children}
      {hint ? <div class="hint">{hint}</div> : null}
      {error ? (
        <div class="field-error" id={`${idOf(f, name)}-error`} role="alert">
          {error}
        </div>
      ) : null}
    </div>
  );
}

export function TextInput({ f, name, type = 'text', fallback = '' }: { f: FormCtx; name: string; type?: string; fallback?: string }) {
  return <input type={type} id={idOf(f, name)} name={name} value={valueOf(f, name, fallback)} {...aria(f, name)} />;
}

export function TextArea({ f, name }: { f: FormCtx; name: string }) {
  return (
    <textarea id={idOf(f, name)} name={name} {...aria(f, name)}>
      {valueOf(f, name)}
    </textarea>
  );
}

export function Select({
  f,
  name,
  options,
  fallback = '',
}: {
  f: FormCtx;
  name: string;
  options: { value: string; label: string }[];
  fallback?: string;
}) {
  const value = valueOf(f, name, fallback);
  return (
    <select id={idOf(f, name)} name={name} {...aria(f, name)}>
      {options.map((o) => (
        <option value={o.value} selected={o.value === value}>
          {o.label}
        </option>
      ))}
    </select>
  );
}

/** The form's own error (one not tied to a field it shows). */
export function FormError({ f, fields }: { f: FormCtx; fields: string[] }) {
  const s = f.state;
  if (s?.form !== f.form || (s.error.field && fields.includes(s.error.field))) return null;
  return (
    <div class="field-error" role="alert" id={`${f.form}-error`}>
      {s.error.message}
    </div>
  );
}

export function RequestId() {
  return <input type="hidden" name="requestId" value={randomUUID()} />;
}
