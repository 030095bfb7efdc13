// IM robot channels of units and contacts (RobotChannel rows): storing their credentials sealed, finding
// the robots a notification's recipients are reached through, and opening the credentials for a send.
//
// A credential is stored as "env:NAME" (the worker reads the variable when it sends) or as
// "sealed:" + AES-256-GCM under the channel key (ROBOT_CHANNEL_KEY, else <DATA_DIR>/robot-channel.key),
// bound to its row's owner, kind and field, so a copy of the database alone reveals no robot.
import { createHash } from 'node:crypto';
import { isEnvRef, type RobotKind } from '../domain/robots';
import { loadSecretKey, seal, unseal } from '../runtime/secret-key';
import type { PrismaClient, Tx } from './client';

type Db = PrismaClient | Tx;

export const ROBOT_KEY_FILE = 'robot-channel.key';
const SEALED = 'sealed:';

export function loadRobotKey(env: NodeJS.ProcessEnv, dataDir: string): Buffer {
  return loadSecretKey(env, dataDir, { envName: 'ROBOT_CHANNEL_KEY', file: ROBOT_KEY_FILE });
}

/** The robot's non-secret id: its kind and a digest of its token (or the token's env reference). */
export function robotIdOf(kind: RobotKind, token: string): string {
  return `${kind}:${createHash('sha256').update(`${kind}\n${token}`, 'utf8').digest('hex').slice(0, 16)}`;
}

export function ownerOf(target: { unitId: string } | { contactId: string }): string {
  return 'contactId' in target ? `contact:${target.contactId}` : `unit:${target.unitId}`;
}

function aad(owner: string, kind: RobotKind, field: 'token' | 'secret'): string {
  return `${owner}\n${kind}\n${field}`;
}

function stored(key: Buffer, value: string, owner: string, kind: RobotKind, field: 'token' | 'secret'): string {
  return isEnvRef(value) ? value : `${SEALED}${seal(key, value, aad(owner, kind, field))}`;
}

export interface RobotSetting {
  kind: RobotKind;
  /** Validated by domain/robots.ts parseRobotToken, or null to remove the robot. */
  token: string | null;
  /** DingTalk signing secret (parseRobotSecret); null: not signed. */
  secret?: string | null;
}

/** Sets (or removes) one robot of a unit or a contact; returns whether anything changed. */
export async function setRobotChannel(
  db: Db,
  key: Buffer,
  target: { unitId: string; contactId?: string },
  setting: RobotSetting,
): Promise<'created' | 'updated' | 'removed' | 'unchanged'> {
  const owner = ownerOf(target.contactId ? { contactId: target.contactId } : { unitId: target.unitId });
  const where = { owner_kind: { owner, kind: setting.kind } };
  const old = await db.robotChannel.findUnique({ where });
  if (setting.token === null) {
    if (!old) return 'unchanged';
    await db.robotChannel.delete({ where });
    return 'removed';
  }
  const robotId = robotIdOf(setting.kind, setting.token);
  const secret = setting.secret ?? null;
  if (old && old.robotId === robotId && openCredential(key, old.secret, owner, setting.kind, 'secret') === (secret ?? undefined)) {
    return 'unchanged';
  }
  const data = {
    robotId,
    unitId: target.unitId,
    contactId: target.contactId ?? null,
    token: stored(key, setting.token, owner, setting.kind, 'token'),
    secret: secret === null ? null : stored(key, secret, owner, setting.kind, 'secret'),
  };
  if (old) await db.robotChannel.update({ where, data });
  else await db.robotChannel.create({ data: { owner, kind: setting.kind, ...data } });
  return old ? 'updated' : 'created';
}

function openCredential(key: Buffer, value: string | null, owner: string, kind: RobotKind, field: 'token' | 'secret'): string | undefined {
  if (value === null) return undefined;
  if (!value.startsWith(SEALED)) return value;
  return unseal(key, value.slice(SEALED.length), aad(owner, kind, field));
}

/** A robot as the notify activity sends to it: non-secret identity plus how to open its credentials. */
export interface RobotTarget {
  robotId: string;
  kind: RobotKind;
  /** Whose robot it is, for the delivery's display name, e.g. "秀英区司法局" or "秀英区司法局 张三". */
  ownerName: string;
}

export interface RobotCredentials {
  token: string;
  secret?: string;
}

/**
 * The robots that reach `recipients`: each recipient's own robots and those of their unit, one per
 * robot id (a group robot configured on a unit and on its clerk gets the message once).
 */
export async function robotsFor(
  db: Db,
  recipients: readonly { unitId: string; unitName: string; contactId?: string; name: string }[],
): Promise<RobotTarget[]> {
  if (recipients.length === 0) return [];
  const owners = new Map<string, string>();
  for (const r of recipients) {
    if (!owners.has(`unit:${r.unitId}`)) owners.set(`unit:${r.unitId}`, r.unitName);
    if (r.contactId) owners.set(`contact:${r.contactId}`, `${r.unitName} ${r.name}`);
  }
  const rows = await db.robotChannel.findMany({
    where: { owner: { in: [...owners.keys()] } },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
  });
  const order = [...owners.keys()];
  rows.sort((a, b) => order.indexOf(a.owner) - order.indexOf(b.owner));
  const out = new Map<string, RobotTarget>();
  for (const row of rows) {
    if (!out.has(row.robotId)) {
      out.set(row.robotId, { robotId: row.robotId, kind: row.kind as RobotKind, ownerName: owners.get(row.owner) ?? row.owner });
    }
  }
  return [...out.values()];
}

export class RobotCredentialError extends Error {}

/** Opens the credentials of the robot with this id; throws RobotCredentialError naming what is missing (never the value). */
export async function robotCredentials(db: Db, key: () => Buffer, env: NodeJS.ProcessEnv, robotId: string): Promise<RobotCredentials> {
  const row = await db.robotChannel.findFirst({ where: { robotId }, orderBy: { createdAt: 'asc' } });
  if (!row) throw new RobotCredentialError(`robot ${robotId} is no longer configured on any unit or contact`);
  const kind = row.kind as RobotKind;
  const open = (value: string | null, field: 'token' | 'secret'): string | undefined => {
    if (value === null) return undefined;
    if (isEnvRef(value)) {
      const name = value.slice(4);
      const v = env[name];
      if (v === undefined || v.trim() === '')
        throw new RobotCredentialError(`robot ${robotId}: the ${field} refers to ${name}, which this worker's environment does not set`);
      return v.trim();
    }
    const plain = openCredential(key(), value, row.owner, kind, field);
    if (plain === undefined) throw new RobotCredentialError(`robot ${robotId}: the ${field} was sealed under another ROBOT_CHANNEL_KEY`);
    return plain;
  };
  const token = open(row.token, 'token')!;
  const secret = open(row.secret, 'secret');
  return secret === undefined ? { token } : { token, secret };
}
