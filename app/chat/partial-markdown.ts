/**
 * A reply that is still being written usually ends mid-construct: "**bold" without its closing
 * stars, an inline code span without its backtick, a heading marker without its text. Rendered as is,
 * those show up as raw `**`, `` ` `` and `##` until the closing token arrives. This closes (or, when
 * nothing follows the opener yet, drops) the constructs left open at the end, so the text so far
 * renders the way the finished reply will. Fenced code needs nothing: an unclosed fence already renders
 * as a code block running to the end.
 */
export function closeOpenMarkdown(text: string): string {
  const fences = text.match(/^ {0,3}(```|~~~)/gm)?.length ?? 0;
  if (fences % 2 === 1) {
    // Inside a code block: only a closing fence still being typed ("``" at a line start) needs hiding.
    return text.replace(/\n {0,3}(`{1,2}|~{1,2})$/, "\n");
  }
  // A line that is only a partial fence or a heading marker so far.
  let result = text.replace(/(^|\n) {0,3}(`{1,2}|~{1,2}|#{1,6})[ \t]*$/, "$1");
  const lastBlockStart = Math.max(result.lastIndexOf("\n\n"), result.lastIndexOf("```"), 0);
  const block = result.slice(lastBlockStart);

  const closers: string[] = [];
  const codeTicks = (block.match(/(?<!`)`(?!`)/g) ?? []).length;
  // Outside inline code, count emphasis markers; list bullets ("* item") are not emphasis.
  const prose = block.replace(/`[^`]*`/g, "").replace(/^[ \t]*[*+-][ \t]/gm, "");
  if (codeTicks % 2 === 1) closers.push("`");
  else {
    const strong = (prose.match(/\*\*/g) ?? []).length;
    const single = (prose.replace(/\*\*/g, "").match(/\*/g) ?? []).length;
    const strike = (prose.match(/~~/g) ?? []).length;
    const trimmedEnd = result.trimEnd();
    if (strong % 2 === 1 && single % 2 === 1 && trimmedEnd.endsWith("*") && !trimmedEnd.endsWith("**")) {
      // "**bold*": the closing "**" is half-way in.
      closers.push("*");
    } else {
      if (single % 2 === 1) closers.push("*");
      if (strong % 2 === 1) closers.push("**");
    }
    if (strike % 2 === 1) closers.push("~~");
  }
  for (const closer of closers) {
    const trimmed = result.trimEnd();
    // An opener with nothing after it yet is dropped rather than closed on nothing.
    if (closers.length === 1 && closer === "*" && /[^*\s]\*$/.test(trimmed)) {
      result = `${trimmed}${closer}`;
      continue;
    }
    if (trimmed.endsWith(closer) && !trimmed.endsWith(`\\${closer}`)) {
      const before = trimmed.slice(0, -closer.length);
      if (before === "" || /\s$/.test(before)) {
        result = before;
        continue;
      }
    }
    result = `${trimmed}${closer}`;
  }
  // An unfinished link "[text](htt" renders as raw brackets: show its text until the address is complete.
  result = result.replace(/\[([^\]\n]*)\]\([^)\s]*$/, "$1").replace(/(^|[^!\\])\[([^\]\n]*)$/, "$1$2");
  return result;
}
