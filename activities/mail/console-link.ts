// The console pages an e-mail links to (client/console/app.ts /cycles/:workflowId, views/incidents.ts
// /incidents/:id, reviews/routes.tsx /reviews/:id and /reviews/:id/items/:n), from the console's configured address; undefined when there is none.

function page(consoleUrl: string | undefined, path: string, workflowId: string): string | undefined {
  return consoleUrl ? `${consoleUrl.replace(/\/+$/, '')}/${path}/${encodeURIComponent(workflowId)}` : undefined;
}

export function cyclePageUrl(consoleUrl: string | undefined, workflowId: string): string | undefined {
  return page(consoleUrl, 'cycles', workflowId);
}

export function incidentPageUrl(consoleUrl: string | undefined, workflowId: string): string | undefined {
  return page(consoleUrl, 'incidents', workflowId);
}

/** A review's page, or one of its 整改 items' page when the mail is about an item. */
export function reviewPageUrl(consoleUrl: string | undefined, reviewId: string, itemN?: number): string | undefined {
  const review = page(consoleUrl, 'reviews', reviewId);
  return review && itemN !== undefined ? `${review}/items/${itemN}` : review;
}
