// A feed as an iCalendar document (RFC 5545), built with ical.js: the `ics` package the mail uses
// writes one event at a time and only UTC or floating times, while a feed is a calendar of many
// events in Asia/Shanghai with its VTIMEZONE (TZID), and ical.js escapes TEXT values and writes
// components for us. Its own line folding leaves continuation lines at 76 octets (75 after the
// space), so the output is refolded by foldIcsLines (75 octets including the space, never inside
// a UTF-8 sequence).
//
// Each open cycle is one timed event of one hour ending at the due instant (the due instant is
// exclusive: "1月31日前" ends 2026-02-01T00:00+08:00, the event is 23:00–24:00 on 31 January), so
// month views put it on the last day and DTEND is the instant itself. UID is the mail
// attachment's (icsUid, from the workflow ID): the same cycle is the same event everywhere. SEQUENCE
// is the plan revision of the last change of the due instant. No VALARM: reminders are the
// product's job (mail, robots), not the subscriber's calendar.
import ICAL from 'ical.js';
import { DateTime } from 'luxon';
import { foldIcsLines, icsUid } from '../../activities/mail/ics';
import type { FeedContent } from './deadlines';

const CST = 'Asia/Shanghai';
export const FEED_CONTENT_TYPE = 'text/calendar; charset=utf-8';
const PRODID = '-//duty-ledger//法治政府建设督办系统 日历订阅//ZH';

/** China Standard Time: UTC+8 without daylight saving (since 1991; as Mozilla's zone file writes it, from 1970). */
function cstTimezone(): ICAL.Component {
  const tz = new ICAL.Component('vtimezone');
  tz.addPropertyWithValue('tzid', CST);
  const std = new ICAL.Component('standard');
  std.addPropertyWithValue('dtstart', ICAL.Time.fromData({ year: 1970, month: 1, day: 1, hour: 0, minute: 0, second: 0, isDate: false }));
  std.addPropertyWithValue('tzoffsetfrom', ICAL.UtcOffset.fromString('+0800'));
  std.addPropertyWithValue('tzoffsetto', ICAL.UtcOffset.fromString('+0800'));
  std.addPropertyWithValue('tzname', 'CST');
  tz.addSubcomponent(std);
  return tz;
}

function cstProperty(name: string, at: Date): ICAL.Property {
  const t = DateTime.fromJSDate(at).setZone(CST);
  const prop = new ICAL.Property(name);
  prop.setValue(
    ICAL.Time.fromData({ year: t.year, month: t.month, day: t.day, hour: t.hour, minute: t.minute, second: t.second, isDate: false }),
  );
  prop.setParameter('tzid', CST);
  return prop;
}

function utc(at: Date): ICAL.Time {
  return ICAL.Time.fromJSDate(new Date(Math.floor(at.getTime() / 1000) * 1000), true);
}

export function feedIcs(content: FeedContent): string {
  const cal = new ICAL.Component('vcalendar');
  cal.addPropertyWithValue('prodid', PRODID);
  cal.addPropertyWithValue('version', '2.0');
  cal.addPropertyWithValue('calscale', 'GREGORIAN');
  cal.addPropertyWithValue('method', 'PUBLISH');
  cal.addPropertyWithValue('x-wr-calname', content.name);
  cal.addPropertyWithValue('x-wr-timezone', CST);
  // How often clients should look again (RFC 7986 and the older Microsoft/Apple name).
  const refresh = new ICAL.Property('refresh-interval');
  refresh.resetType('duration');
  refresh.setValue(ICAL.Duration.fromString('PT1H'));
  cal.addProperty(refresh);
  cal.addPropertyWithValue('x-published-ttl', 'PT1H');
  cal.addSubcomponent(cstTimezone());

  for (const d of content.deadlines) {
    const ev = new ICAL.Component('vevent');
    ev.addPropertyWithValue('uid', icsUid(d.workflowId));
    ev.addPropertyWithValue('dtstamp', utc(d.lastModified));
    ev.addPropertyWithValue('last-modified', utc(d.lastModified));
    ev.addPropertyWithValue('sequence', d.sequence);
    ev.addProperty(cstProperty('dtstart', new Date(d.dueAt.getTime() - 3600_000)));
    ev.addProperty(cstProperty('dtend', d.dueAt));
    ev.addPropertyWithValue('summary', d.summary);
    ev.addPropertyWithValue('description', d.description);
    ev.addPropertyWithValue('url', d.url);
    ev.addPropertyWithValue('status', 'CONFIRMED');
    ev.addPropertyWithValue('transp', 'TRANSPARENT');
    const categories = new ICAL.Property('categories');
    categories.setValues(['法治政府建设', '截止日期']);
    ev.addProperty(categories);
    cal.addSubcomponent(ev);
  }
  // ical.js joins lines with CRLF; the document ends with one.
  return `${foldIcsLines(cal.toString())}\r\n`;
}
