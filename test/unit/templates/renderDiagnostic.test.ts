// Render failures as diagnostics of the rule registry: one code per kind, the whole line of the
// error, and the message the editor and the CLI show.
import * as assert from 'node:assert/strict';
import * as path from 'path';
import { describe, it } from 'node:test';
import { ALL_RULES } from '../../../src/core/diagnostics/rules';
import { createTemplateEnvironment } from '../../../src/core/templates/environment';
import type { TemplateErrorKind } from '../../../src/core/templates/pyValue';
import { TEMPLATE_RENDER_RULES, templateRenderDiagnostic } from '../../../src/core/templates/renderDiagnostic';

const DIR = path.resolve('/virtual/templates');
const TEMPLATE = path.join(DIR, 'dim.py.j2');

describe('templateRenderDiagnostic', () => {
  it('gives each kind of render failure its own registered code, LH510 to LH516', () => {
    const kinds: TemplateErrorKind[] = ['syntax', 'undefined', 'type', 'unsupported', 'security', 'timeout', 'runtime'];
    assert.deepEqual(Object.keys(TEMPLATE_RENDER_RULES).sort(), [...kinds].sort());
    const codes = kinds.map(kind => templateRenderDiagnostic({ templateFile: TEMPLATE, kind, message: 'm' }).code);
    assert.deepEqual(codes, ['LH510', 'LH511', 'LH512', 'LH513', 'LH514', 'LH515', 'LH516']);
    for (const kind of kinds) {
      const rule = ALL_RULES.find(r => r.code === TEMPLATE_RENDER_RULES[kind].code);
      assert.equal(rule?.name, `template-${kind}`, 'the name the editor used as a code before the registry had one');
    }
  });

  it('covers the whole line of the error, the text of the line when the file is given', () => {
    const text = 'line one\r\n{{ x.y }} and more\r\nlast';
    const d = templateRenderDiagnostic(
      { templateFile: TEMPLATE, kind: 'undefined', message: "'x' is undefined", line: 2 },
      text,
    );
    assert.deepEqual(d, {
      file: TEMPLATE,
      range: { start: { line: 1, character: 0 }, end: { line: 1, character: 18 } },
      severity: 'error',
      code: 'LH511',
      message: "Template does not render: 'x' is undefined",
    });
    const unknownEnd = templateRenderDiagnostic({ templateFile: TEMPLATE, kind: 'syntax', message: 'm', line: 2 });
    assert.deepEqual(unknownEnd.range, {
      start: { line: 1, character: 0 },
      end: { line: 1, character: Number.MAX_SAFE_INTEGER },
    });
    const noLine = templateRenderDiagnostic({ templateFile: TEMPLATE, kind: 'timeout', message: 'm' }, text);
    assert.deepEqual(noLine.range, { start: { line: 0, character: 0 }, end: { line: 0, character: 8 } });
    const pastTheEnd = templateRenderDiagnostic(
      { templateFile: TEMPLATE, kind: 'syntax', message: 'm', line: 9 },
      text,
    );
    assert.deepEqual(pastTheEnd.range, { start: { line: 2, character: 0 }, end: { line: 2, character: 4 } });
  });

  it('counts an embedded template from its line in the notebook, but not an included file', () => {
    const notebook = path.join(DIR, 'load.py');
    const embedded = templateRenderDiagnostic({
      templateFile: notebook,
      kind: 'syntax',
      message: "Encountered unknown tag 'endfor'.",
      line: 3,
      embeddedLine: 10,
    });
    assert.equal(embedded.file, notebook);
    assert.equal(embedded.range.start.line, 12, 'template line 3 of a string starting on notebook line 11 (1-based)');
    assert.equal(embedded.message, "Embedded template does not render: Encountered unknown tag 'endfor'.");
    const included = templateRenderDiagnostic({
      templateFile: notebook,
      file: path.join(DIR, 'macros.j2'),
      kind: 'type',
      message: 'm',
      line: 3,
      embeddedLine: 10,
    });
    assert.equal(included.file, path.join(DIR, 'macros.j2'));
    assert.equal(included.range.start.line, 2);
    assert.match(included.message, /^Embedded template does not render: /);
  });

  it('turns what the renderer reports into the diagnostic, on the included file where the error is', () => {
    const files: Record<string, string> = {
      [TEMPLATE]: 'a\n{% include "part.j2" %}\n',
      [path.join(DIR, 'part.j2')]: 'b\nc\n{{ 1 + "x" }}\n',
    };
    const env = createTemplateEnvironment({ searchPaths: [DIR], projectRoot: DIR, readFile: f => files[f] });
    const result = env.renderFile(TEMPLATE, {});
    assert.ok(!result.ok);
    const d = templateRenderDiagnostic({ templateFile: TEMPLATE, ...result.error });
    assert.equal(d.file, path.join(DIR, 'part.j2'));
    assert.equal(d.range.start.line, 2);
    assert.equal(d.code, 'LH512');
    assert.equal(d.message, `Template does not render: ${result.error.message}`);
  });
});
