// Dev mail catcher: `tsx client/mailcatcher/main.ts` (ports from MAILCATCHER_SMTP_PORT /
// MAILCATCHER_HTTP_PORT, messages under DATA_DIR/mail). Point SMTP_URL at it (the default
// smtp://127.0.0.1:2525 already does) and open http://127.0.0.1:1080.
import path from 'node:path';
import { config } from '../../runtime/config';
import { logger } from '../../runtime/logger';
import { startMailCatcher } from './catcher';

async function main(): Promise<void> {
  const log = logger.child({ component: 'mailcatcher' });
  const catcher = await startMailCatcher({
    smtpPort: config.mailCatcher.smtpPort,
    httpPort: config.mailCatcher.httpPort,
    dir: path.join(config.dataDir, 'mail'),
    log: (level, msg, data) => log[level](data ?? {}, msg),
  });
  log.info(
    { smtp: catcher.smtpUrl, http: catcher.httpUrl, stored: catcher.messages().length },
    `邮件捕获器已启动：SMTP ${catcher.smtpUrl}，网页 ${catcher.httpUrl}`,
  );

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn({ signal }, 'second signal, exiting immediately');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, '正在关闭邮件捕获器…');
    catcher.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((err: unknown) => {
  logger.error({ err }, 'mail catcher failed to start');
  process.exit(1);
});
