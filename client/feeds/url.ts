// Where a feed is subscribed: webcal://<console host>/calendar/<token>.ics (calendar apps open
// webcal: links as subscriptions) and the same path over the console's own http(s), for clients
// that take a plain URL (Outlook's "从 Internet 订阅", Google's "通过网址添加").
import { config } from '../../runtime/config';

export const FEED_PATH_PREFIX = '/calendar/';

export interface FeedUrls {
  url: string;
  httpUrl: string;
}

export function feedUrls(publicUrl: string, token: string): FeedUrls {
  const origin = new URL(publicUrl);
  const path = `${FEED_PATH_PREFIX}${token}.ics`;
  return { url: `webcal://${origin.host}${path}`, httpUrl: `${origin.origin}${path}` };
}

/** The console's public URL as the CLI knows it: CONSOLE_PUBLIC_URL, else the loopback console of `npm start`. */
export function consolePublicUrl(env: NodeJS.ProcessEnv = process.env): string {
  const text = env.CONSOLE_PUBLIC_URL?.trim();
  return text ? text.replace(/\/+$/, '') : `http://127.0.0.1:${config.console.port}`;
}
