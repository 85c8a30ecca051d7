// Loads the template corpus (test/templates-corpus) as differential cases.
import * as fs from 'fs';
import * as path from 'path';
import { REPO_ROOT } from '../helpers/paths';
import type { VerifyCase } from '../../../src/core/templates/jinja2Oracle';
import type { TemplateErrorKind } from '../../../src/core/templates/pyValue';

export const CORPUS_ROOT = path.join(REPO_ROOT, 'test', 'templates-corpus');
export const CASES_DIR = path.join(CORPUS_ROOT, 'cases');
export const SEARCH_PATHS = [CASES_DIR, path.join(CORPUS_ROOT, 'templates')];

export interface CorpusCase extends VerifyCase {
  /** Set when we deliberately fail where Jinja2 renders (unsupported / security). */
  expectedErrorKind?: TemplateErrorKind;
}

export function loadCorpus(): CorpusCase[] {
  return fs
    .readdirSync(CASES_DIR)
    .filter(name => name.endsWith('.j2'))
    .sort()
    .map(name => {
      const id = name.slice(0, -3);
      const contextFile = path.join(CASES_DIR, `${id}.json`);
      const expectFile = path.join(CASES_DIR, `${id}.expect`);
      const expected = fs.existsSync(expectFile)
        ? (fs.readFileSync(expectFile, 'utf8').trim() as TemplateErrorKind)
        : undefined;
      return {
        id,
        file: path.join(CASES_DIR, name),
        searchPaths: SEARCH_PATHS,
        projectRoot: CORPUS_ROOT,
        ...(fs.existsSync(contextFile) ? { context: fs.readFileSync(contextFile, 'utf8') } : {}),
        ...(expected ? { expectedErrorKind: expected } : {}),
      };
    });
}
