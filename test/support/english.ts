// What people read (mails, console pages) is Chinese: these find English sentences and shell commands
// left in such text. A sentence here is two or more Latin words in a row; identifiers people are shown
// (workflow IDs, codes, URLs) are passed as `allowed` and removed first, as are URLs.

/** Runs of two or more Latin words (e.g. "was already past", "run calendar load"), after removing `allowed` and URLs. */
export function englishPhrases(text: string, allowed: readonly string[] = []): string[] {
  let t = text;
  for (const a of [...allowed].filter((x) => x.length > 0).sort((x, y) => y.length - x.length)) t = t.split(a).join(' ');
  t = t.replace(/https?:\/\/[^\s<>"'）」]+/g, ' ');
  return [...t.matchAll(/[A-Za-z][A-Za-z'’-]*(?:[ \t]+[A-Za-z][A-Za-z'’-]*)+/g)].map((m) => m[0]);
}

/** Shell commands and command-line options: `npm run`, `cli --`, `--ref`, `--held` … */
export function shellCommands(text: string): string[] {
  return [...text.matchAll(/npm run[^\n]*|\bcli --[^\n]*|(?<![\w-])--[a-z][a-z-]*/g)].map((m) => m[0]);
}

/** The text of an HTML document or fragment: tags (with their attributes) and entities removed. */
export function htmlText(html: string): string {
  return html
    .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}
