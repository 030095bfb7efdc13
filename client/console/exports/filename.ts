// Content-Disposition for a download named in Chinese: RFC 6266 with the RFC 5987 `filename*` (UTF-8,
// percent-encoded) for browsers, and a plain ASCII `filename` for clients that do not read `filename*`.

/** RFC 5987 attr-chars are letters, digits and !#$&+-.^_`|~; everything else is percent-encoded. */
function rfc5987(value: string): string {
  return encodeURIComponent(value).replace(/['()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** `name`: what the file is called; `ascii`: the fallback, of [A-Za-z0-9._-] only. */
export function attachment(name: string, ascii: string): string {
  const fallback = ascii.replace(/[^A-Za-z0-9._-]/g, '_');
  return `attachment; filename="${fallback}"; filename*=UTF-8''${rfc5987(name)}`;
}
