/**
 * Streamed text with CR and CRLF line endings turned into LF, a CRLF split across two reads included. SSE allows
 * all three; eventsource-parser's CR path looks for the next LF from every line start, which is quadratic in a
 * read that has many CR-ended lines and no LF (~1 s for one 1 MB read), while its LF path is linear.
 */
export class LineEndingNormalizer {
  private afterCr = false;

  push(text: string): string {
    if (!text) return text;
    // The LF of a CRLF whose CR ended the previous read (and was already sent on as a LF).
    if (this.afterCr && text.charCodeAt(0) === 0x0a) text = text.slice(1);
    this.afterCr = text.charCodeAt(text.length - 1) === 0x0d;
    return text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
  }
}
