// Incidents (incident-disclosure) in the console's JSON API; each route is one service call
// (client/service/incidents.ts), which validates, authorises and refuses:
//   POST /api/incidents                     report (admin, or a unit user for the own unit)
//   GET  /api/incidents                     list (Incident rows)
//   GET  /api/incidents/:id                 live status + rows
//   POST /api/incidents/:id/release         {at, url, channel?, reason?}   (admin or the unit)
//   POST /api/incidents/:id/press           {at, place?}                   (admin or the unit)
//   POST /api/incidents/:id/correct         {occurredAt, reason}           (admin)
//   POST /api/incidents/:id/close           {reason?}                      (admin)
import type { Hono } from 'hono';
import { toCstIso } from '../../domain/time';
import type { ServiceDeps } from '../service/context';
import {
  closeIncident,
  correctOccurrence,
  getIncident,
  listIncidents,
  recordPress,
  recordRelease,
  reportIncident,
} from '../service/incidents';
import { refuse } from '../service/refusal';
import { consoleCall, jsonRequest, readScope, type ConsoleEnv } from './request';

export function registerIncidentApi(api: Hono<ConsoleEnv>, deps: ServiceDeps): void {
  api.post('/incidents', async (c) => {
    const { body, requestId } = await jsonRequest(c);
    const result = await reportIncident(deps, consoleCall(c, requestId), body);
    return c.json(result, result.existing ? 200 : 201);
  });

  api.get('/incidents', async (c) => {
    const rows = await listIncidents(deps, await readScope(c, deps.prisma));
    return c.json({
      total: rows.length,
      incidents: rows.map((r) => ({
        workflowId: r.workflowId,
        title: r.title,
        level: r.level,
        statutory: r.statutory,
        unitId: r.unitId,
        unitName: r.cycle.unit.name,
        occurredAt: toCstIso(r.occurredAt),
        reportedAt: toCstIso(r.reportedAt),
        releaseDueAt: r.releaseDueAt ? toCstIso(r.releaseDueAt) : null,
        pressDueAt: r.pressDueAt ? toCstIso(r.pressDueAt) : null,
        state: r.state,
      })),
    });
  });

  api.get('/incidents/:id', async (c) => {
    const workflowId = c.req.param('id');
    const d = await getIncident(deps, workflowId, await readScope(c, deps.prisma));
    if (!d) refuse('', 'not-found', `找不到事件 ${workflowId}`, `no incident "${workflowId}"`);
    const { cycle: _cycle, ...incident } = d.row ?? { cycle: null };
    return c.json({
      workflowId,
      status: d.status,
      incident: d.row ? incident : null,
      notifications: d.notifications,
      escalations: d.escalations,
      audit: d.audit,
    });
  });

  const updates = { release: recordRelease, press: recordPress, correct: correctOccurrence, close: closeIncident } as const;
  for (const [name, op] of Object.entries(updates)) {
    api.post(`/incidents/:id/${name}`, async (c) => {
      const { body, requestId } = await jsonRequest(c);
      const result = await op(deps, consoleCall(c, requestId), c.req.param('id'), body);
      return c.json(name === 'correct' ? { plan: result } : name === 'close' ? { state: result } : result);
    });
  }
}
