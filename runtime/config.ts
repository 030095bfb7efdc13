// Process configuration from the environment, with the embedded defaults the README documents.
import path from 'node:path';

// runtime/ in the sources, dist/runtime/ in the build (npm run build): the project root either way.
const parent = path.resolve(__dirname, '..');
const root = path.basename(parent) === 'dist' ? path.dirname(parent) : parent;

function env(name: string, fallback: string): string {
  const value = process.env[name];
  return value === undefined || value === '' ? fallback : value;
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
  },
  console: {
    port: Number(env('CONSOLE_PORT', '3000')),
  },
  mailCatcher: {
    smtpPort: Number(env('MAILCATCHER_SMTP_PORT', '2525')),
    httpPort: Number(env('MAILCATCHER_HTTP_PORT', '1080')),
  },
};
