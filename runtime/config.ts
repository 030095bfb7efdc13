// Process configuration from the environment, with the embedded defaults the README documents.
import path from 'node:path';
import { MAX_SEND_TIMEOUT_MS } from '../contracts/delivery';

// runtime/ in the sources, dist/runtime/ in the build (npm run build): the project root either way.
const parent = path.resolve(__dirname, '..');
const root = path.basename(parent) === 'dist' ? path.dirname(parent) : parent;

function env(name: string, fallback: string): string {
  const value = process.env[name];
  return value === undefined || value === '' ? fallback : value;
}

/** A positive integer from the environment; a bad value stops the process, naming the variable. */
function envInt(name: string, fallback: number, max = Number.MAX_SAFE_INTEGER, min = 1): number {
  const text = env(name, String(fallback));
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name}: expected a whole number from ${min} to ${max}, got "${text}"`);
  }
  return value;
}

/** SMTP transport timeouts in milliseconds; the send deadline bounds one send whatever the server does. */
function smtpTimeouts() {
  const connectMs = envInt('SMTP_CONNECT_TIMEOUT_MS', 15_000);
  const greetingMs = envInt('SMTP_GREETING_TIMEOUT_MS', 15_000);
  const socketMs = envInt('SMTP_SOCKET_TIMEOUT_MS', 60_000);
  // contracts/delivery.ts: the send activity's timeout and lease are sized for at most MAX_SEND_TIMEOUT_MS.
  const sendMs = envInt('SMTP_SEND_TIMEOUT_MS', Math.min(connectMs + greetingMs + socketMs, MAX_SEND_TIMEOUT_MS), MAX_SEND_TIMEOUT_MS);
  return { connectMs, greetingMs, socketMs, sendMs };
}

export const config = {
  root,
  dataDir: env('DATA_DIR', path.join(root, 'data')),
  catalogDir: env('CATALOG_DIR', path.join(root, 'catalog')),
  databaseUrl: env('DATABASE_URL', `file:${path.join(root, 'data', 'app.db')}`),
  temporal: {
    address: env('TEMPORAL_ADDRESS', '127.0.0.1:7233'),
    namespace: env('TEMPORAL_NAMESPACE', 'default'),
    taskQueue: env('TASK_QUEUE', 'duty-ledger'),
    uiUrl: env('TEMPORAL_UI_URL', 'http://127.0.0.1:8233'),
  },
  smtp: {
    url: env('SMTP_URL', 'smtp://127.0.0.1:2525'),
    from: env('MAIL_FROM', '"法治政府建设督办系统" <noreply@duty-ledger.local>'),
    timeouts: smtpTimeouts(),
    /** Pooled SMTP connections per worker process (nodemailer maxConnections). */
    poolSize: envInt('SMTP_POOL_SIZE', 5, 100),
  },
  delivery: {
    /** Failed sends to one recipient (4xx, timeouts, dropped connections) before it is given up. */
    maxAttempts: envInt('DELIVERY_MAX_ATTEMPTS', 8, 1000),
    /**
     * Reminders and escalations of one duty that fall together for one recipient go out as one list,
     * collected for this long (activities/bundle.ts); 0 sends each step alone. At most an hour.
     */
    bundleWindowMs: envInt('DELIVERY_BUNDLE_WINDOW_MS', 60_000, 3_600_000, 0),
  },
  /** IM robots (activities/channels/). The endpoints and the window are configurable for the loopback test servers. */
  robots: {
    wecomUrl: env('WECOM_WEBHOOK_URL', 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send'),
    dingtalkUrl: env('DINGTALK_WEBHOOK_URL', 'https://oapi.dingtalk.com/robot/send'),
    /** Messages per robot per window: both APIs document 20 a minute; never configure more. */
    limit: envInt('ROBOT_RATE_LIMIT', 20, 20),
    windowMs: envInt('ROBOT_RATE_WINDOW_MS', 60_000),
    /** One request's deadline; its send counts against the window until it answered or this passed. */
    sendTimeoutMs: envInt('ROBOT_SEND_TIMEOUT_MS', 10_000, MAX_SEND_TIMEOUT_MS),
  },
  console: {
    port: Number(env('CONSOLE_PORT', '3000')),
  },
  mailCatcher: {
    smtpPort: Number(env('MAILCATCHER_SMTP_PORT', '2525')),
    httpPort: Number(env('MAILCATCHER_HTTP_PORT', '1080')),
  },
};
