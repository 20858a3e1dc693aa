// Driving the VS Code workbench (code-server in headless Chromium) the way a person does: keyboard
// shortcuts, Quick Open, the Command Palette, the Problems panel. Every wait polls the page with a
// deadline (Playwright's auto-waiting); nothing sleeps for a fixed time.
import type { Locator, Page } from 'playwright-core';

/** A deadline shared by all steps: every wait gets at most what is left of it. */
export class Budget {
  private readonly end: number;
  constructor(readonly totalMs: number) {
    this.end = Date.now() + totalMs;
  }
  /** Milliseconds for the next wait: at most max, never beyond the deadline. */
  left(max: number): number {
    const left = this.end - Date.now();
    if (left <= 0) throw new Error(`the test's ${this.totalMs} ms budget is spent`);
    return Math.min(max, left);
  }
}

export class Workbench {
  constructor(
    readonly page: Page,
    private readonly budget: Budget,
    private readonly stepMs = 30_000,
  ) {}

  private get timeout() {
    return this.budget.left(this.stepMs);
  }

  get quickInput(): Locator {
    return this.page.locator('.quick-input-widget input');
  }

  /** The Problems panel (markers view). */
  get problems(): Locator {
    return this.page.locator('.markers-panel');
  }

  async open(url: string, folder: string, expectFile: string) {
    await this.page.goto(`${url}/?folder=${encodeURIComponent(folder)}`, { timeout: this.timeout });
    await this.page.locator('.monaco-workbench').waitFor({ timeout: this.timeout });
    // The explorer lists the workspace: the remote file system works.
    await this.page.locator('.explorer-folders-view .monaco-list-row', { hasText: expectFile }).first().waitFor({ timeout: this.timeout });
  }

  /** Quick Open (Ctrl+P) a workspace file by its relative path; waits for its tab and text. */
  async quickOpen(relPath: string, expectText: string) {
    const name = relPath.split('/').pop()!;
    await this.page.keyboard.press('Control+P');
    await this.quickInput.waitFor({ timeout: this.timeout });
    await this.quickInput.fill(relPath);
    await this.page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor({ timeout: this.timeout });
    await this.page.keyboard.press('Enter');
    await this.page.locator('.tab.active', { hasText: name }).waitFor({ timeout: this.timeout });
    await this.activeEditor.locator('.view-lines', { hasText: expectText }).waitFor({ timeout: this.timeout });
  }

  get activeEditor(): Locator {
    return this.page.locator('.editor-group-container.active .editor-instance .monaco-editor').first();
  }

  /** Runs a command from the Command Palette (F1) by its full title. */
  async runCommand(title: string) {
    await this.page.keyboard.press('F1');
    await this.quickInput.waitFor({ timeout: this.timeout });
    await this.quickInput.fill(`>${title}`);
    const row = this.page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
    try {
      await row.waitFor({ timeout: this.timeout });
    } catch (e) {
      const rows = await this.page.locator('.quick-input-list .monaco-list-row').allInnerTexts().catch(() => []);
      throw new Error(`"${title}" is not in the Command Palette (it lists: ${JSON.stringify(rows)})`, { cause: e });
    }
    // Enter runs the focused entry: make sure it is ours, not a fuzzy neighbour.
    await this.page.locator('.quick-input-list .monaco-list-row.focused', { hasText: title }).waitFor({ timeout: this.timeout });
    await this.page.keyboard.press('Enter');
    await this.quickInput.waitFor({ state: 'hidden', timeout: this.timeout });
  }

  /** Moves the caret with Go to Line (Ctrl+G), 1-based line and column. */
  async goTo(line: number, column: number) {
    await this.page.keyboard.press('Control+G');
    await this.quickInput.waitFor({ timeout: this.timeout });
    await this.quickInput.fill(`:${line}:${column}`);
    await this.page.keyboard.press('Enter');
    await this.quickInput.waitFor({ state: 'hidden', timeout: this.timeout });
    await this.page.locator('.statusbar-item', { hasText: `Ln ${line}, Col ${column}` }).first().waitFor({ timeout: this.timeout });
  }

  /** Ctrl+. at the caret, then arrow keys down to the action titled title, then Enter. */
  async applyCodeAction(title: string) {
    await this.page.keyboard.press('Control+.');
    const rows = this.page.locator('.action-widget .monaco-list-row.action');
    const wanted = rows.filter({ hasText: title }).first();
    try {
      await wanted.waitFor({ timeout: this.timeout });
    } catch (e) {
      const offered = await rows.allInnerTexts().catch(() => []);
      throw new Error(`no code action "${title}" at the caret (offered: ${JSON.stringify(offered)})`, { cause: e });
    }
    const count = await rows.count();
    for (let i = 0; i <= count; i++) {
      const focused = await this.page.locator('.action-widget .monaco-list-row.action.focused').first().innerText({ timeout: this.timeout });
      if (focused.includes(title)) {
        await this.page.keyboard.press('Enter');
        await this.page.locator('.action-widget').first().waitFor({ state: 'hidden', timeout: this.timeout });
        return;
      }
      await this.page.keyboard.press('ArrowDown');
    }
    throw new Error(`could not focus the code action "${title}" with the arrow keys`);
  }

  /** Opens the Problems panel (Ctrl+Shift+M). */
  async showProblems() {
    await this.page.keyboard.press('Control+Shift+M');
    await this.problems.waitFor({ timeout: this.timeout });
  }

  /** Types into the Problems panel's filter box (matches message, source, code and file name). */
  async filterProblems(text: string) {
    const filter = this.page.locator('[id="workbench.parts.panel"] .viewpane-filter input:visible').first();
    await filter.fill(text, { timeout: this.timeout });
  }

  /**
   * Waits until the Problems panel, filtered by rule id, lists that rule for file (a workspace-
   * absolute path) with source pg-hardening; returns the rows' text.
   */
  async waitForProblem(file: string, ruleId: string): Promise<string[]> {
    await this.filterProblems(ruleId);
    const fileRow = this.problems.locator('.monaco-list-row[aria-level="1"]').filter({
      has: this.page.locator(`.monaco-icon-label[aria-label="${file}"]`),
    });
    const markerRow = this.problems.locator('.monaco-list-row[aria-level="2"]').filter({
      has: this.page.locator('.marker-source', { hasText: /^pg-hardening$/ }),
    }).filter({ has: this.page.locator('.marker-code', { hasText: new RegExp(`^${escapeRegExp(ruleId)}$`) }) });
    try {
      await fileRow.first().waitFor({ timeout: this.timeout });
      await markerRow.first().waitFor({ timeout: this.timeout });
    } catch (e) {
      const shown = await this.problems.locator('.monaco-list-row').allInnerTexts().catch(() => []);
      throw new Error(`the Problems panel does not list ${ruleId} from pg-hardening for ${file} (it shows: ${JSON.stringify(shown)})`, { cause: e });
    }
    return markerRow.allInnerTexts();
  }

  /** Waits until the Problems panel, filtered by rule id, lists nothing for file. */
  async waitForNoProblem(file: string, ruleId: string) {
    await this.filterProblems(ruleId);
    await this.problems
      .locator('.monaco-list-row[aria-level="1"]')
      .filter({ has: this.page.locator(`.monaco-icon-label[aria-label="${file}"]`) })
      .first()
      .waitFor({ state: 'detached', timeout: this.timeout });
  }

  /**
   * The text of the active editor, from its rendered lines (ordered by position, non-breaking
   * spaces made plain). Only what is on screen: fine for short documents.
   */
  async visibleText(): Promise<string> {
    const lines = await this.activeEditor.locator('.view-lines .view-line').evaluateAll((els: RenderedLine[]) =>
      els
        .map((el) => ({ top: parseFloat(el.style.top) || 0, text: el.innerText }))
        .sort((a, b) => a.top - b.top)
        .map((l) => l.text.replace(/\u00a0/g, ' ')),
    );
    return lines.join('\n');
  }

  async statusBarHas(text: string) {
    await this.page.locator('.statusbar-item', { hasText: text }).first().waitFor({ timeout: this.timeout });
  }
}

/** The part of a DOM element a rendered editor line is read through (the tests compile without the DOM lib). */
interface RenderedLine {
  style: { top: string };
  innerText: string;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
