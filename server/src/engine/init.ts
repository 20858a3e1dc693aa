import { initSqlParser } from './sql/parser';

/** Loads what the engine needs before it can check every kind of file (the WASM SQL parser). */
export function initEngine(): Promise<void> {
  return initSqlParser();
}
