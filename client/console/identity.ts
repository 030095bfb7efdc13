// The signed-in person as the console shows them and passes them to the service: the account's
// role and unit (./auth proves who it is; nothing in a request names a user).
import type { Actor } from '../../contracts/cycle';

export interface ConsoleUser extends Actor {
  name: string;
  unitName?: string;
}

export function canSubmit(user: ConsoleUser | null, unitId: string): boolean {
  if (!user) return false;
  return user.access === 'admin' || (user.access === 'unit' && user.unitId === unitId);
}

export function isAdmin(user: ConsoleUser | null): boolean {
  return user?.access === 'admin';
}
