// Demo data: `npm run db:seed` (after `npm run db:migrate`). Idempotent: it goes through the same
// import as `units import`, which upserts, so running it again changes nothing.
import path from 'node:path';
import { closePrisma, getPrisma } from '../db/client';
import { ImportError, importUnitsFile } from '../client/import/units';

const SEED_UNITS_FILE = path.join(__dirname, 'seed', 'units.json');

async function main(): Promise<void> {
  const prisma = getPrisma();
  const counts = await importUnitsFile(prisma, SEED_UNITS_FILE, { actor: 'seed' });
  console.log(
    `seeded ${path.relative(process.cwd(), SEED_UNITS_FILE)}: ` +
      `units ${counts.unitsCreated} created, ${counts.unitsUpdated} updated, ${counts.unitsUnchanged} unchanged; ` +
      `contacts ${counts.contactsCreated} created, ${counts.contactsUpdated} updated, ${counts.contactsUnchanged} unchanged`,
  );
}

main()
  .catch((e: unknown) => {
    console.error(e instanceof ImportError ? e.message : e);
    process.exitCode = 1;
  })
  .finally(() => closePrisma());
