// The page frame: header with navigation and the signed-in person (修改密码, 退出登录); the stylesheet is
// assets/console.css. New pages use the JSX component in ./page.tsx, which renders this same frame.
import { Html, html, type Renderable } from '../html';
import { renderFrame } from './page';
import type { ConsoleUser } from '../identity';
import type { NavKey } from './page';

export interface PickerContact {
  email: string;
  name: string;
  access: string;
  role: string;
  unitName: string;
}

export interface LayoutContext {
  user: ConsoleUser | null;
  /** Unused since sign-in replaced the 切换身份 picker; removed with the wiring. */
  picker?: PickerContact[];
  /** Current path with query. */
  path: string;
  nav: NavKey;
  /** From November on, when next year's holiday arrangement is not loaded (domain/provisional.ts nextYearWarning). */
  calendarWarning?: string;
}

/** The frame around a page body built with the html tag (older views); ./page.tsx renders it. */
export function layout(title: string, ctx: LayoutContext, body: Renderable): Html {
  return new Html(renderFrame(title, ctx, html`${body}`.value));
}

export function stateBadge(state: string, label: string): Html {
  return html`<span class="badge st-${state}" data-state="${state}">${label}</span>`;
}
