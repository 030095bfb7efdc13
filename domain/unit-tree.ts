// The unit tree in reading order (the CLI's `units list`, the console's 单位导入 page): pure.

/** Depth-first order with depth, roots (and orphans) first by id. */
export function unitTree<T extends { id: string; parentId: string | null }>(units: T[]): (T & { depth: number })[] {
  const ids = new Set(units.map((u) => u.id));
  const children = new Map<string | null, T[]>();
  for (const u of units) {
    const key = u.parentId !== null && ids.has(u.parentId) ? u.parentId : null;
    children.set(key, [...(children.get(key) ?? []), u]);
  }
  const out: (T & { depth: number })[] = [];
  const seen = new Set<string>();
  const walk = (parent: string | null, depth: number) => {
    for (const u of [...(children.get(parent) ?? [])].sort((a, b) => a.id.localeCompare(b.id))) {
      if (seen.has(u.id)) continue;
      seen.add(u.id);
      out.push({ ...u, depth });
      walk(u.id, depth + 1);
    }
  };
  walk(null, 0);
  // Units in a parent cycle are unreachable from a root: list them flat at the end.
  for (const u of units) if (!seen.has(u.id)) out.push({ ...u, depth: 0 });
  return out;
}
