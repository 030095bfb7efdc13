// Single sign-on with OpenID Connect (openid-client): authorization code flow with PKCE, state and
// nonce. The provider's metadata is discovered once (retried after a failure). The identity's e-mail
// (or OIDC_CLAIM) names the account; a person without an account is refused, never created.
import * as oidc from 'openid-client';
import type { OidcSettings } from './config';

export interface OidcFlowState {
  state: string;
  nonce: string;
  verifier: string;
  next: string;
}

export interface OidcIdentity {
  /** The mapped claim's value (an e-mail unless configured otherwise). */
  value: string;
  subject: string;
  idToken: string | undefined;
}

export class OidcSignIn {
  private config: Promise<oidc.Configuration> | undefined;

  constructor(
    readonly settings: OidcSettings,
    private readonly redirectUrl: () => string,
  ) {}

  private configuration(): Promise<oidc.Configuration> {
    if (!this.config) {
      const { issuer, clientId, clientSecret, allowInsecureIssuer } = this.settings;
      this.config = oidc
        .discovery(
          new URL(issuer),
          clientId,
          clientSecret ? { client_secret: clientSecret } : undefined,
          clientSecret ? oidc.ClientSecretBasic(clientSecret) : oidc.None(),
          allowInsecureIssuer ? { execute: [oidc.allowInsecureRequests] } : undefined,
        )
        .catch((err: unknown) => {
          this.config = undefined;
          throw err;
        });
    }
    return this.config;
  }

  /** Where to send the browser, and what to remember (in a short-lived cookie) for the callback. */
  async start(next: string): Promise<{ url: string; flow: OidcFlowState }> {
    const config = await this.configuration();
    const verifier = oidc.randomPKCECodeVerifier();
    const flow: OidcFlowState = { state: oidc.randomState(), nonce: oidc.randomNonce(), verifier, next };
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.redirectUrl(),
      scope: this.settings.scope,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: flow.state,
      nonce: flow.nonce,
    });
    return { url: url.href, flow };
  }

  /** Exchanges the code of `callbackUrl` (as the public URL, not the request's Host) for the identity. */
  async finish(callbackUrl: URL, flow: OidcFlowState): Promise<OidcIdentity> {
    const config = await this.configuration();
    const tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
      pkceCodeVerifier: flow.verifier,
      expectedState: flow.state,
      expectedNonce: flow.nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims();
    if (!claims) throw new Error('the provider sent no ID token');
    let all: Record<string, unknown> = { ...claims };
    if (all[this.settings.claim] === undefined) {
      all = { ...all, ...(await oidc.fetchUserInfo(config, tokens.access_token, claims.sub)) };
    }
    const value = all[this.settings.claim];
    if (typeof value !== 'string' || value.trim() === '') throw new OidcClaimMissing(this.settings.claim);
    if (this.settings.claim === 'email' && all.email_verified === false) throw new OidcClaimMissing('email_verified');
    return { value: value.trim(), subject: claims.sub, idToken: tokens.id_token };
  }

  /** The provider's sign-out address, when it has one. */
  async endSessionUrl(idToken: string | null, postLogoutRedirect: string): Promise<string | null> {
    try {
      const config = await this.configuration();
      if (!config.serverMetadata().end_session_endpoint) return null;
      const params: Record<string, string> = { post_logout_redirect_uri: postLogoutRedirect, client_id: this.settings.clientId };
      if (idToken) params.id_token_hint = idToken;
      return oidc.buildEndSessionUrl(config, params).href;
    } catch {
      return null;
    }
  }
}

export class OidcClaimMissing extends Error {
  constructor(readonly claim: string) {
    super(`the identity has no usable "${claim}" claim`);
    this.name = 'OidcClaimMissing';
  }
}
