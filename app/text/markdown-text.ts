/**
 * Plain text (a title, a model's name) made to read back as itself where a Markdown document puts it in
 * its structure, e.g. a heading: every character Markdown or inline HTML gives a meaning is escaped
 * with a backslash (CommonMark lets any ASCII punctuation be), `:` and `@` and the dot of `www.` too,
 * so that GFM does not make a link of a URL or an address, and line breaks, which would end the
 * heading, become spaces. Text that is Markdown (a message) is written as it is, never through this.
 */
export function markdownText(text: string): string {
  return text
    .replace(/\s*[\r\n]+\s*/g, " ")
    .replace(/[\\`*_{}[\]()<>#+\-!|~&:@]/g, "\\$&")
    .replace(/\b(www)\./gi, "$1\\.");
}
