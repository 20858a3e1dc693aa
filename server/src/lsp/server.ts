// The language server: keeps diagnostics current for open pg_hba.conf and postgresql.conf (and,
// as it lands, SQL) documents, offers their fixes as code actions, and explains parameters.
import {
  CodeAction,
  CodeActionKind,
  Command,
  DidChangeConfigurationNotification,
  FileChangeType,
  TextDocuments,
  TextDocumentSyncKind,
  type CodeActionParams,
  type Connection,
  type Diagnostic,
  type InitializeParams,
  type InitializeResult,
  MarkupKind,
  type Hover,
  type MarkupContent,
  type Position,
  type Range,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { INTERNAL_ERROR_RULE, checkFile, kindOfFile } from '../engine/check';
import { fixFile } from '../engine/fix';
import { diskFileSystem, nodeFileSystem } from '../engine/node-fs';
import { forgetEdited, sweepParseCache } from '../engine/sql';
import { CONFIG_FILE, DEFAULT_CONFIG, engineConfig, loadProjectConfig, parseProjectConfig, type EngineConfig, type ProjectConfig } from '../engine/config';
import { RULES } from '../rules';
import { DEFAULT_PG_VERSION, type FileKind, type FileSystem, type Finding } from '../engine/types';
import { FIX_ALL_KIND, SOURCE, docUri, fixAction, pathToUri, toDiagnostic, uriToPath, type DiagnosticData } from './convert';
import { confCompletion, confHover, confSymbols } from './conf-features';
import { hbaHover, hbaSymbols } from './hba-features';
import { suppressActions } from './suppress-actions';
import { formatHba } from '../engine/hba/format';
import { mapRange, positionMap, type PositionMap } from './positions';
import { isMainConf } from '../engine/conf';
import { initEngine } from '../engine/init';
import { collectTargets } from '../engine/targets';
import { historyFiles, historyRoot } from '../engine/sql/history';
import * as path from 'node:path';
import { existsSync } from 'node:fs';
import { releaseMemory, releaseWhenIdle } from './release-memory';
import { pushTo } from '../engine/map-lists';

const LANGUAGE_KINDS: Record<string, FileKind> = { 'pg-hba': 'hba', 'pg-ident': 'ident', 'pg-conf': 'conf', sql: 'sql' };

interface Settings {
  postgresVersion: number;
  config: EngineConfig;
}

const RULE_IDS = RULES.map((r) => r.id);

export function startServer(connection: Connection): void {
  const documents = new TextDocuments(TextDocument);
  const settingsCache = new Map<string, Promise<Settings>>();
  /** diagnostics[file uri][origin uri]: what checking `origin` found in `file` (includes report into other files). */
  const contributions = new Map<string, Map<string, Diagnostic[]>>();
  /** The check waiting to run for each document, by the function that cancels it. */
  const pending = new Map<string, () => void>();
  let canPullConfiguration = false;

  /**
   * The disk as this workspace may read it (`roots`: only inside its folders, when it is not
   * trusted), twice: `disk` reads it as it is; `keptDisk` keeps what it read while files stay
   * unchanged, for the checks of open files, where each keystroke in a migration reads its whole
   * history again (it asks the disk at most once a second, and at once after the editor reports
   * files changed or a file closed). The workspace scan reads through `disk`, so that the texts of histories nobody
   * edits are not kept.
   */
  const disksWithin = (roots?: string[]) => ({ disk: diskFileSystem({ roots }), keptDisk: diskFileSystem({ roots, cache: true }) });
  let { disk, keptDisk } = disksWithin();
  /**
   * Open editor buffers win over the disk, so included files are checked as they are being edited;
   * and the folders of a migration history list the open migrations that are not on disk (new, or
   * deleted while open), with the folders that hold them. A history is then the same files
   * whichever of them is checked: otherwise the check of a file on disk dropped the findings of an
   * open one deleted beside it, and what showed depended on which was checked last. Only .sql
   * files: a deleted conf file that is closed has no check left that would take its findings back.
   */
  const openMigrations = (): string[] =>
    documents.all().flatMap((d) => {
      if (!d.uri.startsWith('file:') || !d.uri.endsWith('.sql')) return [];
      try {
        return [uriToPath(d.uri)];
      } catch {
        return []; // a file: URI no path stands for (another host's)
      }
    });
  /** The names of the entries of `dir` that open migrations are in or under (the first part of their path below it). */
  const openEntries = (dir: string, files: boolean): string[] =>
    openMigrations().flatMap((f) => {
      const rel = path.relative(dir, f);
      if (!rel || rel.startsWith('..') || path.isAbsolute(rel)) return [];
      const parts = rel.split(path.sep);
      return files === (parts.length === 1) ? [parts[0]] : [];
    });
  const withOpen = (names: string[] | { code: string }, open: string[]) =>
    !open.length ? names : [...new Set([...(Array.isArray(names) ? names : []), ...open])];
  const overDisk = (below: () => FileSystem): FileSystem => ({
    readFile: (file) => documents.get(pathToUri(file))?.getText() ?? below().readFile(file),
    readDir: (dir) => withOpen(below().readDir(dir), openEntries(dir, true)),
    listDirs: (dir) => [...new Set([...(below().listDirs?.(dir) ?? []), ...openEntries(dir, false)])],
  });
  const fs = overDisk(() => keptDisk);
  const scanFs = overDisk(() => disk);

  const log = (message: string) => connection.console.log(`[pg-hardening] ${message}`);

  let workspaceFolders: string[] = [];
  connection.onInitialize(async (params: InitializeParams): Promise<InitializeResult> => {
    // The SQL parser loads in the background, once the first files are answered: pg_hba.conf and
    // postgresql.conf never wait for it (a SQL file that comes first loads it at once).
    setTimeout(() => void initEngine(), 500);
    workspaceFolders = (params.workspaceFolders ?? []).map((f) => f.uri).filter((u) => u.startsWith('file:'));
    if (!workspaceFolders.length && params.rootUri?.startsWith('file:')) workspaceFolders = [params.rootUri];
    canPullConfiguration = Boolean(params.capabilities.workspace?.configuration);
    // VS Code says whether the workspace is trusted; other editors open what their user chose.
    const trusted = (params.initializationOptions as { trusted?: unknown } | undefined)?.trusted !== false;
    if (!trusted) {
      ({ disk, keptDisk } = disksWithin(workspaceFolders.map(uriToPath)));
      log('untrusted workspace: files outside the workspace folders are not read');
    }
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND] },
        hoverProvider: true,
        completionProvider: { triggerCharacters: ['=', "'"] },
        documentSymbolProvider: true,
        documentFormattingProvider: true,
        documentRangeFormattingProvider: true,
      },
      serverInfo: { name: 'pg-hardening' },
    };
  });

  connection.onInitialized(() => {
    if (canPullConfiguration)
      void connection.client.register(DidChangeConfigurationNotification.type, undefined).catch(() => undefined);
    void scanMigrations().catch((e) => log(`migration scan failed: ${(e as Error).stack ?? e}`));
  });

  /**
   * Migration histories report findings into files nobody opened (the ENABLE three files before the
   * missing FORCE): check each history of the workspace once at start, and again when its files change.
   */
  async function scanMigrations(only?: Set<string>) {
    const folders = workspaceFolders.map(uriToPath);
    if (!folders.length) return;
    const byRoot = new Map<string, string>();
    for (const t of collectTargets(folders.filter((f) => nodeFileSystem.readDir(f) instanceof Array))) {
      if (t.kind !== 'sql') continue;
      const root = await historyRootOf(t.file);
      if (root && !byRoot.has(root) && (!only || only.has(root))) byRoot.set(root, t.file);
    }
    for (const [root, file] of byRoot) {
      // A history with a migration open in the editor is checked whole by that file's own check,
      // which comes at each change: checking it here too doubled the wait for the first answers.
      if (await hasOpenMigration(root)) continue;
      await recheckHistory(file);
    }
    // The whole workspace's histories: a batch worth collecting after (not a save's recheck).
    if (byRoot.size && !only) releaseMemory();
  }

  async function hasOpenMigration(root: string): Promise<boolean> {
    for (const f of openMigrations()) if ((await historyRootOf(f)) === root) return true;
    return false;
  }

  async function recheckHistory(file: string) {
    await initEngine();
    const { postgresVersion, config } = await settingsFor(pathToUri(file));
    const textOf = (f: string) => {
      const t = scanFs.readFile(f);
      return typeof t === 'string' ? t : undefined;
    };
    let through = file;
    let text = textOf(file);
    // A file closed after it was deleted is gone from its history: check that through a file still there.
    if (text === undefined)
      for (const f of historyFiles(file, scanFs, config)) {
        [through, text] = [f, textOf(f)];
        if (text !== undefined) break;
      }
    setContribution(await originOf(file), text === undefined ? [] : checkFile(through, text, 'sql', { pgVersion: postgresVersion, fs: scanFs, config }));
  }

  async function historyRootOf(file: string): Promise<string | undefined> {
    return file.endsWith('.sql') ? historyRoot(file, (await settingsFor(pathToUri(file))).config) : undefined;
  }

  /** Findings of a migration history come from checking any of its files: they share one origin. */
  async function originOf(file: string): Promise<string> {
    const root = await historyRootOf(file);
    return root ? `history:${root}` : pathToUri(file);
  }

  function settingsFor(uri: string): Promise<Settings> {
    let s = settingsCache.get(uri);
    if (!s) {
      s = loadSettings(uri).catch((e) => {
        log(`settings for ${uri}: ${(e as Error).message}`);
        return { postgresVersion: DEFAULT_PG_VERSION, config: DEFAULT_CONFIG };
      });
      settingsCache.set(uri, s);
    }
    return s;
  }

  /**
   * The project's .pg-hardening.json (searched from the file up to its workspace folder, never
   * above: an untrusted workspace reads nothing outside itself), then the editor's settings on top.
   */
  async function loadSettings(uri: string): Promise<Settings> {
    const file = uriToPath(uri);
    const dir = path.isAbsolute(file) ? path.dirname(file) : undefined;
    const folder = dir ? folderOf(dir) : undefined;
    const project = dir ? loadProjectConfig(dir, fs, RULE_IDS, folder ?? dir) : { config: {}, errors: [] };
    if (project.file) reportConfigErrors(project.file, project.errors);
    const editor = canPullConfiguration ? editorSettings(await connection.workspace.getConfiguration({ scopeUri: uri, section: 'pg-hardening' })) : {};
    const root = project.file ? path.dirname(project.file) : (folder ?? dir);
    return {
      postgresVersion: editor.postgresVersion ?? project.config.postgresVersion ?? DEFAULT_PG_VERSION,
      config: engineConfig(root, project.config, editor),
    };
  }

  /** The editor's pg-hardening settings that are set, validated like the project file. */
  function editorSettings(raw: unknown): ProjectConfig {
    const c = (raw ?? {}) as Record<string, unknown>;
    const layer: Record<string, unknown> = {};
    if (c.postgresVersion !== null && c.postgresVersion !== undefined) layer.postgresVersion = c.postgresVersion;
    if (c.rules && typeof c.rules === 'object' && Object.keys(c.rules).length) layer.rules = c.rules;
    const globs = (c.migrations as { globs?: unknown } | undefined)?.globs;
    if (Array.isArray(globs) && globs.length) layer.migrations = { globs };
    if (Array.isArray(c.tenantColumns) && c.tenantColumns.length) layer.tenantColumns = c.tenantColumns;
    const { config, errors } = parseProjectConfig(JSON.stringify(layer), RULE_IDS);
    for (const e of errors) log(`setting pg-hardening.${e}`);
    return config;
  }

  function folderOf(dir: string): string | undefined {
    return workspaceFolders
      .map(uriToPath)
      .filter((f) => dir === f || dir.startsWith(f.endsWith(path.sep) ? f : f + path.sep))
      .sort((a, b) => b.length - a.length)[0];
  }

  /** A broken .pg-hardening.json shows in the Problems view, at its first line; published when its errors change. */
  const configErrors = new Map<string, string>();
  function reportConfigErrors(file: string, errors: string[]) {
    const key = JSON.stringify(errors);
    if (configErrors.get(file) === key) return;
    configErrors.set(file, key);
    const at = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    setContribution(
      pathToUri(file),
      errors.map((message) => ({ file, rule: 'config', severity: 'error', range: at, message: `${CONFIG_FILE}: ${message}`, fixes: [] })),
    );
  }

  function kindOf(doc: TextDocument): FileKind | undefined {
    return LANGUAGE_KINDS[doc.languageId] ?? kindOfFile(uriToPath(doc.uri));
  }

  function publish(fileUri: string) {
    const all = [...(contributions.get(fileUri)?.values() ?? [])].flat();
    const seen = new Set<string>();
    const diagnostics = all.filter((d) => {
      const key = JSON.stringify([d.range, d.code, d.message]);
      return seen.has(key) ? false : (seen.add(key), true);
    });
    // The version lets editors (and benchmarks) match diagnostics to the text they describe.
    void connection.sendDiagnostics({ uri: fileUri, version: documents.get(fileUri)?.version, diagnostics });
  }

  /** Texts of files not open in the editor, read once for position mapping; a change on disk forgets them. */
  const diskTexts = new Map<string, string | undefined>();
  function textFor(file: string): string | undefined {
    const open = documents.get(pathToUri(file));
    if (open) return open.getText();
    if (!diskTexts.has(file)) {
      const t = disk.readFile(file);
      diskTexts.set(file, typeof t === 'string' ? t : undefined);
    }
    return diskTexts.get(file);
  }

  function setContribution(origin: string, findings: Finding[]) {
    // An origin that is a file always gets its (possibly empty) list; a history's is not a file.
    const byFile = new Map<string, Diagnostic[]>(origin.startsWith('file:') ? [[origin, []]] : []);
    const maps = new Map<string, PositionMap>();
    const mapOf = (file: string) => {
      let m = maps.get(file);
      if (!m) maps.set(file, (m = positionMap(textFor(file))));
      return m;
    };
    for (const f of findings) {
      pushTo(byFile, pathToUri(f.file), toDiagnostic(inEditorCoordinates(f, mapOf)));
    }
    for (const [fileUri, perOrigin] of contributions)
      if (perOrigin.has(origin) && !byFile.has(fileUri)) {
        perOrigin.delete(origin);
        publish(fileUri);
        if (perOrigin.size === 0) contributions.delete(fileUri);
      }
    for (const [fileUri, list] of byFile) {
      if (!contributions.has(fileUri)) contributions.set(fileUri, new Map());
      const perOrigin = contributions.get(fileUri)!;
      const before = perOrigin.get(origin);
      perOrigin.set(origin, list);
      // A keystroke in a migration checks its whole history: the files no editor shows hear again
      // only when what they hear changes (open ones always do, with the version it answers).
      if (documents.get(fileUri) || !sameDiagnostics(before, list)) publish(fileUri);
    }
  }

  /** Each list's text, made once: the list sent at one keystroke is the one compared at the next. */
  const serialized = new WeakMap<Diagnostic[], string>();
  const textOfList = (l: Diagnostic[]) => {
    let text = serialized.get(l);
    if (text === undefined) serialized.set(l, (text = JSON.stringify(l)));
    return text;
  };
  const sameDiagnostics = (a: Diagnostic[] | undefined, b: Diagnostic[]) => a !== undefined && a.length === b.length && textOfList(a) === textOfList(b);

  /** Takes back everything checking `uri` itself reported, in every file, and publishes `uri` again. */
  function withdraw(uri: string) {
    setContribution(uri, []);
    const own = contributions.get(uri);
    own?.delete(uri);
    if (own?.size === 0) contributions.delete(uri);
    publish(uri);
  }

  let checks = 0;
  async function validate(doc: TextDocument) {
    const kind = kindOf(doc);
    if (!kind) return;
    if (kind === 'sql') await initEngine();
    // Every 20 checks, parses that none of the last 20 used go (old versions of edited statements).
    if (++checks % 20 === 0) sweepParseCache();
    const { postgresVersion, config } = await settingsFor(doc.uri);
    const origin = await originOf(uriToPath(doc.uri));
    const current = documents.get(doc.uri);
    if (!current || current.version !== doc.version) return; // a newer edit will validate
    let findings: Finding[];
    try {
      findings = checkFile(uriToPath(doc.uri), doc.getText(), kind, { pgVersion: postgresVersion, fs, config, editing: true });
    } catch (e) {
      log(`check failed for ${doc.uri}: ${(e as Error).stack ?? e}`);
      findings = [];
    }
    for (const f of findings) if (f.rule === INTERNAL_ERROR_RULE) log(`${f.file}: ${f.message}`);
    // A file that has just joined a history (new settings) drops what it reported on its own.
    if (origin !== doc.uri && contributions.get(doc.uri)?.get(doc.uri)?.length) setContribution(doc.uri, []);
    setContribution(origin, findings);
    if (origin !== doc.uri) publish(doc.uri); // an opened file always hears its state, even when clean
    if (kind === 'conf') refreshSiblingHba(doc, postgresVersion, config);
    releaseWhenIdle();
  }

  /** pg_hba.conf reads the postgresql.conf beside it: recheck it, open in the editor or not. */
  function refreshSiblingHba(conf: TextDocument, pgVersion: number, config: EngineConfig) {
    const confFile = uriToPath(conf.uri);
    if (!isMainConf(confFile)) return;
    const hbaFile = path.join(path.dirname(confFile), 'pg_hba.conf');
    const hbaUri = pathToUri(hbaFile);
    const open = documents.get(hbaUri);
    if (open) return schedule(open, 0);
    const text = fs.readFile(hbaFile);
    if (typeof text !== 'string') return;
    try {
      setContribution(hbaUri, checkFile(hbaFile, text, 'hba', { pgVersion, fs, config }));
    } catch (e) {
      log(`check failed for ${hbaUri}: ${(e as Error).stack ?? e}`);
    }
  }

  /**
   * Checks the document once the messages already received are handled, so a burst of changes is
   * checked once, at its last version. With no delay this takes two turns of the event loop, not a
   * timer: Node's shortest timer is 1 ms, added to every keystroke's answer. The JSON-RPC layer
   * handles one queued message per turn and queues the next after the handler's own turn, so the
   * second turn lets a change that was already waiting cancel this check.
   */
  function schedule(doc: TextDocument, delay: number) {
    pending.get(doc.uri)?.();
    const run = () => {
      pending.delete(doc.uri);
      validate(doc).catch((e) => log(`validation error: ${(e as Error).stack ?? e}`));
    };
    if (delay > 0) {
      const timer = setTimeout(run, delay);
      pending.set(doc.uri, () => clearTimeout(timer));
    } else {
      let turn = setImmediate(() => (turn = setImmediate(run)));
      pending.set(doc.uri, () => clearImmediate(turn));
    }
  }

  /** Editing one file can change another's findings (an included fragment): recheck the open ones. */
  function revalidateAll() {
    for (const d of documents.all()) schedule(d, 0);
  }

  documents.onDidOpen((e) => schedule(e.document, 0));
  documents.onDidChangeContent((e) => {
    schedule(e.document, 0);
    // Included fragments and the postgresql.conf beside a pg_hba.conf change other files' findings.
    for (const d of documents.all()) if (d.uri !== e.document.uri && kindOf(d) === 'hba') schedule(d, 50);
  });
  documents.onDidClose((e) => {
    // What was saved from the editor is on disk now: the kept texts are checked again.
    keptDisk.recheck();
    pending.get(e.document.uri)?.();
    pending.delete(e.document.uri);
    void onClose(e.document).catch((err) => log(`close failed: ${(err as Error).stack ?? err}`));
  });

  async function onClose(doc: TextDocument) {
    const closedRoot = await historyRootOf(uriToPath(doc.uri));
    settingsCache.delete(doc.uri);
    forgetEdited(uriToPath(doc.uri));
    // What the file reported on its own goes, even when new settings put it in a history it was
    // never checked in; the history stays published, rechecked from what is on disk now.
    withdraw(doc.uri);
    if (closedRoot) await recheckHistory(uriToPath(doc.uri));
    if (kindOf(doc) === 'conf' && isMainConf(uriToPath(doc.uri))) {
      const hbaUri = pathToUri(path.join(path.dirname(uriToPath(doc.uri)), 'pg_hba.conf'));
      if (!documents.get(hbaUri)) setContribution(hbaUri, []);
    }
  }

  /** A request on an open document; errors are logged and answered with `empty`. */
  const request = async <T>(uri: string, empty: T, fn: (doc: TextDocument, kind: FileKind | undefined) => T | Promise<T>): Promise<T> => {
    const doc = documents.get(uri);
    if (!doc) return empty;
    try {
      return await fn(doc, kindOf(doc));
    } catch (e) {
      log(`request failed for ${uri}: ${(e as Error).stack ?? e}`);
      return empty;
    }
  };
  connection.onHover((p) =>
    request(p.textDocument.uri, null, async (doc, kind) => {
      const parts = [findingsHover(p.textDocument.uri, p.position)];
      const at = positionMap(doc.getText()).toEngine(p.position);
      if (kind === 'conf') parts.push(confHover(doc.getText(), at, (await settingsFor(doc.uri)).postgresVersion));
      if (kind === 'hba') parts.push(hbaHover(doc.getText(), at));
      const values = parts.flatMap((h) => (h ? [(h.contents as MarkupContent).value] : []));
      return values.length ? { contents: { kind: MarkupKind.Markdown, value: values.join('\n\n---\n\n') } } : null;
    }),
  );
  connection.onCompletion((p) =>
    request(p.textDocument.uri, [], async (doc, kind) =>
      kind === 'conf' ? confCompletion(doc.getText(), positionMap(doc.getText()).toEngine(p.position), (await settingsFor(doc.uri)).postgresVersion) : [],
    ),
  );
  connection.onDocumentSymbol((p) =>
    request(p.textDocument.uri, [], (doc, kind) => {
      const symbols = kind === 'conf' ? confSymbols(uriToPath(doc.uri), doc.getText()) : kind === 'hba' ? hbaSymbols(doc.getText()) : [];
      const m = positionMap(doc.getText());
      return symbols.map((x) => ({ ...x, range: mapRange(m, x.range), selectionRange: mapRange(m, x.selectionRange) }));
    }),
  );
  const format = (uri: string, range?: Range) =>
    request(uri, [], (doc, kind) => {
      if (kind !== 'hba') return [];
      const m = positionMap(doc.getText());
      const lines = range && { start: m.toEngine(range.start).line, end: m.toEngine(range.end).line };
      return formatHba(uriToPath(uri), doc.getText(), lines).map((e) => ({ range: mapRange(m, e.range), newText: e.newText }));
    });
  connection.onDocumentFormatting((p) => format(p.textDocument.uri));
  connection.onDocumentRangeFormatting((p) => format(p.textDocument.uri, p.range));

  /** What the rules say about the findings under the cursor. */
  function findingsHover(uri: string, pos: Position): Hover | null {
    const inRange = (r: Range) =>
      (pos.line > r.start.line || (pos.line === r.start.line && pos.character >= r.start.character)) &&
      (pos.line < r.end.line || (pos.line === r.end.line && pos.character <= r.end.character));
    const ids = new Set([...(contributions.get(uri)?.values() ?? [])].flat().filter((d) => inRange(d.range)).map((d) => String(d.code)));
    const text = [...ids].flatMap((id) => {
      const rule = RULES.find((r) => r.id === id);
      return rule ? [`**${rule.id}**: ${rule.docs.summary}\n\n${rule.docs.why}\n\n[Documentation](${docUri(rule.id)})`] : [];
    });
    return text.length ? { contents: { kind: MarkupKind.Markdown, value: text.join('\n\n---\n\n') } } : null;
  }

  /** New settings can move files between histories: forget every history's findings and scan again. */
  function settingsChanged() {
    settingsCache.clear();
    const histories = new Set([...contributions.values()].flatMap((perOrigin) => [...perOrigin.keys()]).filter((o) => o.startsWith('history:')));
    for (const origin of histories) setContribution(origin, []);
    revalidateAll();
    void scanMigrations().catch((e) => log(`migration scan failed: ${(e as Error).stack ?? e}`));
  }

  connection.onDidChangeConfiguration(settingsChanged);
  connection.onDidChangeWatchedFiles(async (p) => {
    diskTexts.clear();
    keptDisk.recheck();
    // A deleted file's settings are not needed again (renames make new names all the time).
    for (const c of p.changes) if (c.type === FileChangeType.Deleted) settingsCache.delete(c.uri);
    // A project file's error goes with the file, also when its whole folder was deleted (editors
    // then report the folder only).
    for (const file of [...configErrors.keys()])
      if (!existsSync(file)) {
        configErrors.delete(file);
        withdraw(pathToUri(file));
      }
    if (p.changes.some((c) => path.basename(uriToPath(c.uri)) === CONFIG_FILE)) return settingsChanged();
    revalidateAll();
    const roots = new Set<string>();
    for (const c of p.changes) {
      const root = await historyRootOf(uriToPath(c.uri)).catch(() => undefined);
      if (root) roots.add(root);
    }
    if (roots.size) void scanMigrations(roots).catch((e) => log(`migration scan failed: ${(e as Error).stack ?? e}`));
  });

  connection.onCodeAction(async (params: CodeActionParams): Promise<CodeAction[]> => {
    try {
      return await codeActions(params);
    } catch (e) {
      log(`code action error: ${(e as Error).stack ?? e}`);
      return [];
    }
  });

  const versionOf = (uri: string) => documents.get(uri)?.version ?? null;

  async function codeActions(params: CodeActionParams): Promise<CodeAction[]> {
    const doc = documents.get(params.textDocument.uri);
    if (!doc) return [];
    const only = params.context.only;
    const actions: CodeAction[] = [];
    const wantsQuickFix = !only || only.some((k) => CodeActionKind.QuickFix.startsWith(k) || k.startsWith(CodeActionKind.QuickFix));
    if (wantsQuickFix) {
      for (const d of params.context.diagnostics) {
        if (d.source !== SOURCE) continue;
        const data = d.data as DiagnosticData | undefined;
        for (const fix of data?.fixes ?? []) if (fix.edits.length) actions.push(fixAction(fix, d, versionOf));
        actions.push(...suppressActions(doc, kindOf(doc), d, versionOf));
        if (typeof d.code === 'string' && RULES.some((r) => r.id === d.code)) {
          const show = CodeAction.create(
            `Show documentation for ${d.code}`,
            Command.create(`Show documentation for ${d.code}`, 'pg-hardening.showRuleDocumentation', d.code),
            CodeActionKind.QuickFix,
          );
          show.diagnostics = [d];
          actions.push(show);
        }
      }
    }
    const wantsFixAll = only?.some((k) => FIX_ALL_KIND.startsWith(k));
    if (wantsFixAll) {
      const kind = kindOf(doc);
      if (kind) {
        const { postgresVersion, config } = await settingsFor(doc.uri);
        const file = uriToPath(doc.uri);
        const before = doc.getText();
        if (kind === 'sql') await initEngine();
        const { text } = fixFile(file, before, kind, { pgVersion: postgresVersion, fs, config });
        if (text !== before) {
          const end = doc.positionAt(before.length);
          const action = CodeAction.create(
            'Fix all safe pg-hardening problems',
            { documentChanges: [{ textDocument: { uri: doc.uri, version: doc.version }, edits: [{ range: { start: { line: 0, character: 0 }, end }, newText: text }] }] },
            FIX_ALL_KIND,
          );
          actions.push(action);
        }
      }
    }
    return actions;
  }

  // For tests and diagnosis: the server's memory after a full garbage collection.
  connection.onRequest('pg-hardening/memoryUsage', () => {
    releaseMemory();
    return process.memoryUsage();
  });

  documents.listen(connection);
  connection.listen();
}

/** A finding with every position in the editor's coordinates (which differ only around a lone \r). */
function inEditorCoordinates(f: Finding, mapOf: (file: string) => PositionMap): Finding {
  const m = mapOf(f.file);
  return {
    ...f,
    range: mapRange(m, f.range),
    related: f.related?.map((r) => ({ ...r, range: mapRange(mapOf(r.file), r.range) })),
    fixes: f.fixes.map((x) => ({ ...x, edits: x.edits.map((e) => ({ ...e, range: mapRange(mapOf(e.file), e.range) })) })),
  };
}
