#!/usr/bin/env python3
"""Dumps the China calendar of the Python `holidays` package (an independently maintained second source that
cites each State Council notice) for 2004-2026 into test/fixtures/holidays-py-china.json, for the cross-check
in test/unit/calendar-second-source.test.ts. Run: pip install holidays==<version>; python3 scripts/calendar-second-source.py

Every date from 2003-12-28 (the 2004 notice may reach back into late December) to 2026-12-31 that the package
gives off (public holidays, weekend ones included) or makes a working day (weekend_workdays, 调休上班)."""
import datetime
import json
import pathlib

import holidays

FIRST, LAST = 2004, 2026
start, end = datetime.date(FIRST - 1, 12, 28), datetime.date(LAST, 12, 31)
cal = holidays.China(years=range(FIRST - 1, LAST + 1), language="zh_CN")
days_off = [
    {"date": d.isoformat(), "name": name}
    for d, name in sorted(cal.items())
    if start <= d <= end
]
workdays = [{"date": d.isoformat()} for d in sorted(cal.weekend_workdays) if start <= d <= end]
out = {
    "source": f"python holidays {holidays.__version__}: holidays.China(language='zh_CN'), items() and weekend_workdays",
    "package": "holidays",
    "version": holidays.__version__,
    "range": [start.isoformat(), end.isoformat()],
    "holidays": days_off,
    "workdays": workdays,
}
path = pathlib.Path(__file__).resolve().parent.parent / "test" / "fixtures" / "holidays-py-china.json"
def lines(items):
    return ",\n".join("    " + json.dumps(i, ensure_ascii=False) for i in items)

head = {k: v for k, v in out.items() if k not in ("holidays", "workdays")}
text = json.dumps(head, ensure_ascii=False, indent=2)[:-2]
text += f',\n  "holidays": [\n{lines(days_off)}\n  ],\n  "workdays": [\n{lines(workdays)}\n  ]\n}}\n'
json.loads(text)
path.write_text(text, encoding="utf-8")
print(f"{path}: {len(days_off)} days off, {len(workdays)} make-up working days")
