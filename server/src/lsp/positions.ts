// PostgreSQL ends a line at \n only (a lone \r is a blank to hba.c and guc-file.l), and so do the
// engine's positions; editors also end lines at a lone \r. For the rare file that has one, this
// maps positions between the two; for every other file both count alike.
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Position, Range } from 'vscode-languageserver/node';
import { lineStarts, offsetIn, positionIn } from '../engine/lines';

export interface PositionMap {
  toEditor(p: Position): Position;
  toEngine(p: Position): Position;
}

const LONE_CR = /\r(?!\n)/;
const identity: PositionMap = { toEditor: (p) => p, toEngine: (p) => p };

export function positionMap(text: string | undefined): PositionMap {
  // indexOf first: a native scan, where the regex walks a 1 MB file at every keystroke.
  if (text === undefined || text.indexOf('\r') < 0 || !LONE_CR.test(text)) return identity;
  const editor = TextDocument.create('file:///x', 'x', 0, text);
  const starts = lineStarts(text);
  const engineOffset = (p: Position) => offsetIn(starts, p, text.length);
  return {
    toEditor: (p) => editor.positionAt(engineOffset(p)),
    toEngine: (p) => positionIn(starts, editor.offsetAt(p)),
  };
}

export const mapRange = (m: PositionMap, r: Range): Range => ({ start: m.toEditor(r.start), end: m.toEditor(r.end) });
