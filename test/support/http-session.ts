// A tiny HTTP client for console tests that keeps cookies like a browser (per origin, no expiry
// handling beyond deletion) and never follows redirects, so tests see every 303.
export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
  location: string | null;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json(): any;
}

export class HttpSession {
  readonly cookies = new Map<string, string>();

  constructor(readonly base: string) {}

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async request(
    method: string,
    path: string,
    init: { form?: Record<string, string>; json?: unknown; body?: string; headers?: Record<string, string> } = {},
  ): Promise<HttpAnswer> {
    const headers: Record<string, string> = { ...init.headers };
    let body: string | undefined = init.body;
    if (init.form) {
      body = new URLSearchParams(init.form).toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
      headers.origin ??= new URL(this.base).origin;
    } else if (init.json !== undefined) {
      body = JSON.stringify(init.json);
      headers['content-type'] = 'application/json';
    }
    if (this.cookies.size && !Object.keys(headers).some((k) => k.toLowerCase() === 'cookie')) headers.cookie = this.cookieHeader();
    const res = await fetch(new URL(path, this.base), { method, headers, body, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a) || /^\s*expires=thu, 01 jan 1970/i.test(a));
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const text = await res.text();
    return {
      status: res.status,
      headers: res.headers,
      text,
      location: res.headers.get('location'),
      json: () => JSON.parse(text),
    };
  }

  get(path: string, headers?: Record<string, string>) {
    return this.request('GET', path, { headers });
  }

  post(path: string, form: Record<string, string>, headers?: Record<string, string>) {
    return this.request('POST', path, { form, headers });
  }

  /** Signs in with the form at /login; answers the POST's answer (303 on success). */
  signIn(email: string, password: string) {
    return this.post('/login', { email, password, next: '/' });
  }
}
