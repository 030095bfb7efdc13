import { describe, expect, it } from 'vitest';
import { canSeeContactDetails, inScope, scopeFor, unitWhere, type UnitLink } from '../../client/auth/scope';

// province → city → district → {market, education}; another province elsewhere.
const tree: UnitLink[] = [
  { id: 'province', parentId: null },
  { id: 'city', parentId: 'province' },
  { id: 'district', parentId: 'city' },
  { id: 'market', parentId: 'district' },
  { id: 'education', parentId: 'district' },
  { id: 'other-province', parentId: null },
  { id: 'other-city', parentId: 'other-province' },
];

describe('scopeFor', () => {
  it('gives admins everything', () => {
    const s = scopeFor({ id: 'a', access: 'admin' }, tree);
    expect(s.all).toBe(true);
    expect(inScope(s, 'other-city')).toBe(true);
    expect(unitWhere(s)).toEqual({});
  });

  it("gives an operator their unit's subtree and nothing above or beside it", () => {
    const s = scopeFor({ id: 'o', access: 'operator', unitId: 'city' }, tree);
    expect(['city', 'district', 'market', 'education'].every((u) => inScope(s, u))).toBe(true);
    expect(inScope(s, 'province')).toBe(false);
    expect(inScope(s, 'other-city')).toBe(false);
    expect(unitWhere(s).unitId!.in.sort()).toEqual(['city', 'district', 'education', 'market']);
  });

  it('gives a unit user their own unit only', () => {
    const s = scopeFor({ id: 'u', access: 'unit', unitId: 'district' }, tree);
    expect(inScope(s, 'district')).toBe(true);
    expect(inScope(s, 'market')).toBe(false);
    expect(inScope(s, null)).toBe(false);
  });

  it('gives nothing to a non-admin without a (known) unit, and survives a cycle in the tree', () => {
    expect(scopeFor({ id: 'x', access: 'operator' }, tree)).toEqual({ all: false, unitIds: new Set() });
    expect(scopeFor({ id: 'x', access: 'unit', unitId: 'gone' }, tree)).toEqual({ all: false, unitIds: new Set() });
    const loop: UnitLink[] = [
      { id: 'a', parentId: 'b' },
      { id: 'b', parentId: 'a' },
    ];
    const s = scopeFor({ id: 'o', access: 'operator', unitId: 'a' }, loop);
    expect(s.all === false && [...s.unitIds].sort()).toEqual(['a', 'b']);
  });

  it("shows contacts' personal data to admins and to the contact's own unit only", () => {
    expect(canSeeContactDetails({ id: 'a', access: 'admin' }, 'market')).toBe(true);
    expect(canSeeContactDetails({ id: 'u', access: 'unit', unitId: 'market' }, 'market')).toBe(true);
    expect(canSeeContactDetails({ id: 'u', access: 'unit', unitId: 'education' }, 'market')).toBe(false);
    expect(canSeeContactDetails({ id: 'o', access: 'operator', unitId: 'district' }, 'market')).toBe(false);
  });
});
