import type { SqlRule } from './rule';
import { ERROR_TYPE } from '../engine/sql/carry-over';

/**
 * PostgreSQL quotes the token it stopped at. An unterminated literal or quoted name runs to the end
 * of the file and may be a password, which no output may repeat: only its opening delimiter is kept
 * ('  E'  B'  X'  N'  U&'  "  U&"  $tag$), and nothing of a token that starts otherwise.
 */
export const hideUnterminated = (message: string) => {
  if (!message.startsWith('unterminated ')) return message;
  return message.replace(/( at or near ")([\s\S]*)"$/, (_, at: string, token: string) => {
    const opening = /^(?:(?:[EeBbXxNn]|[Uu]&)?'|(?:[Uu]&)?"|\$[^$\s]*\$)/.exec(token)?.[0] ?? '';
    return `${at}${opening}…"`;
  });
};

export const sqlSyntax: SqlRule = {
  id: 'sql-syntax',
  kind: 'sql',
  reads: [ERROR_TYPE],
  severity: 'error',
  fix: 'none',
  docs: {
    summary: "A statement PostgreSQL's parser rejects, with its message, at the exact position.",
    why:
      'A migration with a syntax error fails when it runs, usually half-way through a deploy; and a statement the ' +
      'parser cannot read is one no other check can look at. Every other statement in the file is still checked.',
    bad: 'ALTER TABLE accounts ENABLE ROW LEVEL SECURTY;\n',
    good: 'ALTER TABLE accounts ENABLE ROW LEVEL SECURITY;\n',
    references: [{ title: 'PostgreSQL: SQL Syntax', url: 'https://www.postgresql.org/docs/current/sql-syntax.html' }],
  },
  check({ analysis }, report) {
    for (const s of analysis.statements) {
      if (!s.error) continue;
      const { position } = s.error;
      // The error's line, cut out of the text rather than split from it: a 1 MB file may have several.
      const lineStart = analysis.offsetAt({ line: position.line, character: 0 });
      const newline = analysis.text.indexOf('\n', lineStart);
      const line = analysis.text.slice(lineStart, newline < 0 ? analysis.text.length : newline);
      const word = /^[^\s;(),]+/.exec(line.slice(position.character))?.[0] ?? '';
      const pgError = hideUnterminated(s.error.message);
      report({
        file: analysis.file,
        // "at end of input" sits after the last character: the range then ends there too.
        range: { start: position, end: { line: position.line, character: Math.min(line.length, position.character + Math.max(1, word.length)) } },
        message: `${pgError}. PostgreSQL's parser rejects this statement, so the migration fails here.`,
        pgError,
        pgLine: position.line,
      });
    }
  },
};
