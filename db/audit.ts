// Append-only audit trail: who did what to which object. `detail` is stored as JSON.
import type { PrismaClient, Tx } from './client';

export interface AuditEntry {
  /** Who: a contact's e-mail, "system", "worker", "cli:<user>" … */
  actor: string;
  /** What, dotted: "units.import", "recipients.missing", "cycle.waive" … */
  action: string;
  /** Which object: a unit id, a workflow id, a file path … */
  target: string;
  detail?: unknown;
}

export interface AuditRecord {
  id: string;
  at: Date;
  actor: string;
  action: string;
  target: string;
  detail: string;
}

/** Records one audit entry; works on the client or inside a transaction. */
export async function audit(prisma: PrismaClient | Tx, entry: AuditEntry): Promise<AuditRecord> {
  return prisma.auditLog.create({
    data: {
      actor: entry.actor,
      action: entry.action,
      target: entry.target,
      detail: JSON.stringify(entry.detail ?? {}),
    },
  });
}
