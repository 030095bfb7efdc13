// A gateway in front of the console may vouch for the person with a signed assertion (a JWT in a
// header, like the identity-aware proxies of cloud platforms) instead of the console's own sign-in.
// It is verified with jose against the configured keys, issuer and audience on every request; a bare
// header naming a user is never believed.
import fs from 'node:fs';
import { createLocalJWKSet, createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import type { AssertionSettings } from './config';

export class AssertionVerifier {
  private readonly keys: JWTVerifyGetKey;

  constructor(readonly settings: AssertionSettings) {
    const src = settings.jwks;
    if (/^https:\/\//.test(src)) this.keys = createRemoteJWKSet(new URL(src));
    else this.keys = createLocalJWKSet(JSON.parse(src.trim().startsWith('{') ? src : fs.readFileSync(src, 'utf8')));
  }

  /** The asserted identity (the configured claim), or null when the assertion is not valid. */
  async verify(token: string): Promise<string | null> {
    try {
      const { payload } = await jwtVerify(token, this.keys, {
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        algorithms: ['RS256', 'ES256', 'EdDSA', 'PS256'],
        requiredClaims: ['exp'],
        maxTokenAge: '1h',
      });
      const value = payload[this.settings.claim];
      return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
    } catch {
      return null;
    }
  }
}
