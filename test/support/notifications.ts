// Waiting for a notification to complete (activities/notify.ts), for integration tests on real servers.
import type { PrismaClient } from '../../db/client';

export async function waitUntil(check: () => Promise<boolean> | boolean, ms = 30_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The notification once no longer pending, with its deliveries (by channel, then address). */
export async function notificationDone(prisma: PrismaClient, key: string, ms = 40_000) {
  await waitUntil(
    async () => {
      const n = await prisma.notification.findUnique({ where: { key } });
      return n !== null && n.status !== 'pending';
    },
    ms,
    `notification ${key} complete`,
  );
  return prisma.notification.findUniqueOrThrow({
    where: { key },
    include: { deliveries: { orderBy: [{ channel: 'asc' }, { address: 'asc' }] } },
  });
}
