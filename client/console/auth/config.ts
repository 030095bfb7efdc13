// How the console proves who is asking, from the environment (documented in the README):
//
//   CONSOLE_PUBLIC_URL          the address people use, e.g. https://duban.example.gov.cn; Host and
//                               Origin must match it (default http://127.0.0.1:<port>, plus
//                               localhost and [::1] on that port). https makes cookies Secure.
//   CONSOLE_TRUSTED_PROXIES     comma-separated addresses of reverse proxies whose X-Forwarded-For /
//                               X-Forwarded-Host / X-Forwarded-Proto count; from anyone else they are ignored
//   SESSION_IDLE_MINUTES        a session unused this long ends (default 30)
//   SESSION_ABSOLUTE_HOURS      a session ends this long after sign-in (default 12)
//   SIGNIN_WINDOW_MINUTES       failed sign-ins count this long (default 15)
//   SIGNIN_MAX_FAILURES_ACCOUNT failures per account in the window before it is locked (default 5)
//   SIGNIN_MAX_FAILURES_ADDRESS failures per client address in the window (default 20)
//   CONSOLE_BODY_LIMIT_KB       largest request body (default 256)
//   OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_REDIRECT_URL (default
//     <public url>/auth/oidc/callback), OIDC_CLAIM (default email), OIDC_SCOPE (default
//     "openid email profile"), OIDC_LABEL (the button, default 统一身份认证登录): single sign-on
//   CONSOLE_ASSERTION_JWKS (a file with a JWKS, or an https URL), CONSOLE_ASSERTION_ISSUER,
//     CONSOLE_ASSERTION_AUDIENCE, CONSOLE_ASSERTION_HEADER (default x-duty-ledger-assertion),
//     CONSOLE_ASSERTION_CLAIM (default email): a gateway's signed assertion (JWT) instead of a sign-in
import type { SessionLifetimes } from '../../../db/sessions';
import type { ThrottleLimits } from '../../../db/sign-in-throttle';

export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret?: string;
  /** Where the provider sends the browser back; default <public url>/auth/oidc/callback. */
  redirectUrl?: string;
  /** The ID token / userinfo claim holding the account's e-mail; default "email". */
  claim: string;
  scope: string;
  label: string;
  /** Tests only: allow an http:// issuer (openid-client refuses one otherwise). */
  allowInsecureIssuer?: boolean;
}

export interface AssertionSettings {
  /** A JWKS as JSON text, or an https URL serving one. */
  jwks: string;
  issuer: string;
  audience: string;
  header: string;
  claim: string;
}

export interface AuthSettings {
  /** The origin people use; a function when it is only known after listening (port 0). */
  publicUrl: string | (() => string);
  /** Loopback default: 127.0.0.1, localhost and [::1] on the public URL's port are the same console. */
  loopbackAliases: boolean;
  trustedProxies: string[];
  session: SessionLifetimes;
  throttle: ThrottleLimits;
  bodyLimitBytes: number;
  oidc?: OidcSettings;
  assertion?: AssertionSettings;
}

export const DEFAULT_AUTH: Omit<AuthSettings, 'publicUrl'> = {
  loopbackAliases: false,
  trustedProxies: [],
  session: { idleMs: 30 * 60_000, absoluteMs: 12 * 3600_000 },
  throttle: { windowMs: 15 * 60_000, perAccount: 5, perAddress: 20 },
  bodyLimitBytes: 256 * 1024,
};

function positive(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const text = env[name]?.trim();
  if (!text) return fallback;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, not "${text}"`);
  return n;
}

/** The console's sign-in settings from the environment; `defaultPublicUrl` when CONSOLE_PUBLIC_URL is unset. */
export function authSettingsFromEnv(env: NodeJS.ProcessEnv, defaultPublicUrl: string | (() => string)): AuthSettings {
  const publicText = env.CONSOLE_PUBLIC_URL?.trim();
  if (publicText) {
    let u: URL;
    try {
      u = new URL(publicText);
    } catch {
      throw new Error(`CONSOLE_PUBLIC_URL must be a URL like https://duban.example.gov.cn, not "${publicText}"`);
    }
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error('CONSOLE_PUBLIC_URL must be an http(s) URL');
  }
  const oidcIssuer = env.OIDC_ISSUER?.trim();
  let oidc: OidcSettings | undefined;
  if (oidcIssuer) {
    const clientId = env.OIDC_CLIENT_ID?.trim();
    if (!clientId) throw new Error('OIDC_ISSUER is set but OIDC_CLIENT_ID is not');
    oidc = {
      issuer: oidcIssuer,
      clientId,
      clientSecret: env.OIDC_CLIENT_SECRET || undefined,
      redirectUrl: env.OIDC_REDIRECT_URL?.trim() || undefined,
      claim: env.OIDC_CLAIM?.trim() || 'email',
      scope: env.OIDC_SCOPE?.trim() || 'openid email profile',
      label: env.OIDC_LABEL?.trim() || '统一身份认证登录',
    };
  }
  const jwks = env.CONSOLE_ASSERTION_JWKS?.trim();
  let assertion: AssertionSettings | undefined;
  if (jwks) {
    const issuer = env.CONSOLE_ASSERTION_ISSUER?.trim();
    const audience = env.CONSOLE_ASSERTION_AUDIENCE?.trim();
    if (!issuer || !audience) throw new Error('CONSOLE_ASSERTION_JWKS needs CONSOLE_ASSERTION_ISSUER and CONSOLE_ASSERTION_AUDIENCE');
    assertion = {
      jwks,
      issuer,
      audience,
      header: (env.CONSOLE_ASSERTION_HEADER?.trim() || 'x-duty-ledger-assertion').toLowerCase(),
      claim: env.CONSOLE_ASSERTION_CLAIM?.trim() || 'email',
    };
  }
  return {
    publicUrl: publicText ? publicText.replace(/\/+$/, '') : defaultPublicUrl,
    loopbackAliases: !publicText,
    trustedProxies: (env.CONSOLE_TRUSTED_PROXIES ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    session: {
      idleMs: positive(env, 'SESSION_IDLE_MINUTES', 30) * 60_000,
      absoluteMs: positive(env, 'SESSION_ABSOLUTE_HOURS', 12) * 3600_000,
    },
    throttle: {
      windowMs: positive(env, 'SIGNIN_WINDOW_MINUTES', 15) * 60_000,
      perAccount: Math.floor(positive(env, 'SIGNIN_MAX_FAILURES_ACCOUNT', 5)),
      perAddress: Math.floor(positive(env, 'SIGNIN_MAX_FAILURES_ADDRESS', 20)),
    },
    bodyLimitBytes: Math.floor(positive(env, 'CONSOLE_BODY_LIMIT_KB', 256) * 1024),
    oidc,
    assertion,
  };
}
