// The console pages an e-mail links to (client/console/app.ts /cycles/:workflowId, views/incidents.ts
// /incidents/:id), from the console's configured address; undefined when there is none.

function page(consoleUrl: string | undefined, path: string, workflowId: string): string | undefined {
  return consoleUrl ? `${consoleUrl.replace(/\/+$/, '')}/${path}/${encodeURIComponent(workflowId)}` : undefined;
}

export function cyclePageUrl(consoleUrl: string | undefined, workflowId: string): string | undefined {
  return page(consoleUrl, 'cycles', workflowId);
}

export function incidentPageUrl(consoleUrl: string | undefined, workflowId: string): string | undefined {
  return page(consoleUrl, 'incidents', workflowId);
}
