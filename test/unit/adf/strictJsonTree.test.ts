// strictJsonTree (the ADF files' tree, made on demand) must be jsonc-parser's parseTree node for node
// on every text JSON.parse reads: the repository's and the shared fixtures' JSON, and seeded mutations.
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { describe, it } from 'node:test';
import { parseTree, type Node as JsonNode } from 'jsonc-parser';
import { strictJsonTree } from '../../../src/core/adf/strictJsonTree';
import { REPO_ROOT, SHARED_FIXTURES } from '../helpers/paths';

/** A node and everything under it, parents as the path to them (a tree with parents is cyclic). */
function plain(node: JsonNode | undefined, parentPath = ''): unknown {
  if (!node) return node;
  const { parent, children, ...rest } = node;
  return {
    ...rest,
    parent: parent ? parentPath : 'none',
    children: children?.map((c, i) => plain(c, `${parentPath}/${i}`)),
  };
}

function jsonFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.') || entry.name.startsWith('out')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...jsonFiles(full));
    else if (entry.name.endsWith('.json')) out.push(full);
  }
  return out;
}

const OPTIONS = { allowTrailingComma: false, disallowComments: true, allowEmptyContent: false };

function agrees(text: string, label: string): boolean {
  try {
    JSON.parse(text);
  } catch {
    return false;
  }
  const errors: unknown[] = [];
  const expected = parseTree(text, errors as never[], OPTIONS);
  assert.deepEqual(errors, [], `${label}: parseTree reports errors on text JSON.parse reads`);
  assert.deepStrictEqual(plain(strictJsonTree(text)), plain(expected), label);
  return true;
}

describe('strictJsonTree: parseTree, node for node, on strict JSON', () => {
  const files = [
    ...jsonFiles(path.join(REPO_ROOT, 'samples')),
    ...jsonFiles(path.join(REPO_ROOT, 'test')),
    ...jsonFiles(SHARED_FIXTURES),
  ];

  it('every JSON file of the repository and the shared fixtures', () => {
    let read = 0;
    for (const file of files) if (agrees(fs.readFileSync(file, 'utf8'), file)) read++;
    assert.ok(read >= 10, `read ${read} files`);
  });

  it('literals, escapes, numbers and white space', () => {
    const texts = [
      '0',
      '-0.5e-3',
      '1E+5',
      '"x"',
      '"a\\"b\\\\c\\u00e9\\n\\/"',
      '"\\ud800"',
      ' \t\r\n[ ] ',
      '{}',
      '{ "a" : [ 1 , true , false , null , { } , [ ] ] , "b\\u0041" :"" }',
      '{"a":1,"a":2}',
      '[[[[["deep"]]]]]',
    ];
    for (const text of texts) assert.ok(agrees(text, JSON.stringify(text)), `${JSON.stringify(text)}: not strict JSON`);
  });

  it('seeded mutations of the repository JSON that JSON.parse still reads', () => {
    let seed = 1;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const pieces = [
      '"',
      '\\',
      '{',
      '}',
      '[',
      ']',
      ',',
      ':',
      ' ',
      '\n',
      '\t',
      '\r',
      '0',
      '-',
      '.',
      'e',
      '1',
      'u',
      'x',
      'true',
      'null',
    ];
    let read = 0;
    for (const file of files.slice(0, 40)) {
      const original = fs.readFileSync(file, 'utf8');
      for (let k = 0; k < 60; k++) {
        let text = original;
        for (let m = 0; m < 1 + random(3); m++) {
          const at = random(text.length + 1);
          const piece = pieces[random(pieces.length)] as string;
          text = random(2) ? text.slice(0, at) + piece + text.slice(at) : text.slice(0, at) + text.slice(at + 1);
        }
        if (agrees(text, `${file} mutation ${k}`)) read++;
      }
    }
    assert.ok(read > 100, `${read} mutations were strict JSON`);
  });
});
