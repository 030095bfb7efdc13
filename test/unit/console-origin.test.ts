import { describe, expect, it } from 'vitest';
import { publicOrigin, safeNext } from '../../client/console/auth/origin';
import { authSettingsFromEnv } from '../../client/console/auth/config';

describe('safeNext', () => {
  it('keeps paths of this console and turns everything else into /', () => {
    expect(safeNext('/cycles?state=overdue')).toBe('/cycles?state=overdue');
    expect(safeNext('/incidents/incident%3A1')).toBe('/incidents/incident%3A1');
    for (const bad of [
      '//evil.example',
      '/\\evil.example',
      'https://evil.example/',
      'javascript:alert(1)',
      '',
      undefined,
      42,
      '/\u0000x',
      'cycles',
    ]) {
      expect(safeNext(bad), String(bad)).toBe('/');
    }
  });
});

describe('publicOrigin', () => {
  it('accepts the loopback aliases only for the loopback default', () => {
    const loop = publicOrigin('http://127.0.0.1:3000', true);
    expect([...loop.hosts].sort()).toEqual(['127.0.0.1:3000', '[::1]:3000', 'localhost:3000']);
    expect(loop.secure).toBe(false);
    const prod = publicOrigin('https://duban.example.gov.cn', false);
    expect([...prod.hosts]).toEqual(['duban.example.gov.cn']);
    expect(prod).toMatchObject({ origin: 'https://duban.example.gov.cn', secure: true });
  });
});

describe('authSettingsFromEnv', () => {
  it('reads the documented variables and names a bad one', () => {
    const s = authSettingsFromEnv(
      {
        CONSOLE_PUBLIC_URL: 'https://duban.example.gov.cn/',
        SESSION_IDLE_MINUTES: '5',
        CONSOLE_TRUSTED_PROXIES: '10.0.0.1, 10.0.0.2',
        OIDC_ISSUER: 'https://sso.example.gov.cn',
        OIDC_CLIENT_ID: 'duban',
      },
      'http://127.0.0.1:3000',
    );
    expect(s).toMatchObject({
      publicUrl: 'https://duban.example.gov.cn',
      loopbackAliases: false,
      trustedProxies: ['10.0.0.1', '10.0.0.2'],
      session: { idleMs: 300_000 },
    });
    expect(s.oidc).toMatchObject({ claim: 'email', scope: 'openid email profile' });
    expect(authSettingsFromEnv({}, 'http://127.0.0.1:3000')).toMatchObject({
      publicUrl: 'http://127.0.0.1:3000',
      loopbackAliases: true,
      throttle: { perAccount: 5, perAddress: 20 },
    });
    expect(() => authSettingsFromEnv({ SESSION_IDLE_MINUTES: 'soon' }, 'x')).toThrow(/SESSION_IDLE_MINUTES/);
    expect(() => authSettingsFromEnv({ OIDC_ISSUER: 'https://sso' }, 'x')).toThrow(/OIDC_CLIENT_ID/);
    expect(() => authSettingsFromEnv({ CONSOLE_PUBLIC_URL: 'duban' }, 'x')).toThrow(/CONSOLE_PUBLIC_URL/);
  });
});
