// XML for xml(), json(xml) and xpath(): a small well-formedness-checking parser, Newtonsoft's
// XML <-> JSON conversion (attributes as "@name", text beside them as "#text", repeated elements
// as arrays) and an XPath 1.0 evaluator covering location paths (/, //, ., .., *, @attr, text(),
// node(), predicates), operators and the core functions (count, sum, string, number, name,
// local-name, namespace-uri, concat, contains, starts-with, …). Node results are XML values.

import type { AdfObject, AdfValue } from './values';

export class XmlError extends Error {}

export interface XmlElement {
  type: 'element';
  name: string;
  attributes: { name: string; value: string }[];
  children: XmlNode[];
  parent?: XmlElement | XmlDocument;
}
export interface XmlText {
  type: 'text';
  value: string;
  parent?: XmlElement;
}
export interface XmlDocument {
  type: 'document';
  declaration?: { name: string; value: string }[];
  children: XmlNode[];
}
export type XmlNode = XmlElement | XmlText;
interface XmlAttribute {
  type: 'attribute';
  name: string;
  value: string;
  parent: XmlElement;
}
type AnyNode = XmlDocument | XmlElement | XmlText | XmlAttribute;

const MAX_XML_DEPTH = 256;
const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (whole, e: string) => {
    if (e.startsWith('#x')) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return String.fromCodePoint(parseInt(e.slice(1), 10));
    const v = ENTITIES[e];
    if (v === undefined) throw new XmlError(`the XML has an unknown entity ${whole}`);
    return v;
  });
}

const escapeText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const escapeAttr = (s: string) => escapeText(s).replace(/"/g, '&quot;');

/** Parses an XML document; throws XmlError when it is not well formed. */
export function parseXml(text: string): XmlDocument {
  const doc: XmlDocument = { type: 'document', children: [] };
  const stack: (XmlDocument | XmlElement)[] = [doc];
  let i = 0;
  const s = text;
  const top = () => stack[stack.length - 1]!;
  while (i < s.length) {
    if (s[i] === '<') {
      if (s.startsWith('<?', i)) {
        const end = s.indexOf('?>', i);
        if (end === -1) throw new XmlError('the XML has an unterminated processing instruction');
        const body = s.slice(i + 2, end);
        if (/^xml\s/.test(body))
          doc.declaration = [...body.matchAll(/(\w+)\s*=\s*("([^"]*)"|'([^']*)')/g)].map(m => ({
            name: m[1]!,
            value: m[3] ?? m[4] ?? '',
          }));
        i = end + 2;
      } else if (s.startsWith('<!--', i)) {
        const end = s.indexOf('-->', i);
        if (end === -1) throw new XmlError('the XML has an unterminated comment');
        i = end + 3;
      } else if (s.startsWith('<![CDATA[', i)) {
        const end = s.indexOf(']]>', i);
        if (end === -1) throw new XmlError('the XML has an unterminated CDATA section');
        const parent = top();
        if (parent.type === 'document') throw new XmlError('the XML has text outside its root element');
        parent.children.push({ type: 'text', value: s.slice(i + 9, end), parent });
        i = end + 3;
      } else if (s.startsWith('<!', i)) {
        const end = s.indexOf('>', i);
        if (end === -1) throw new XmlError('the XML has an unterminated declaration');
        i = end + 1;
      } else if (s[i + 1] === '/') {
        const end = s.indexOf('>', i);
        if (end === -1) throw new XmlError('the XML has an unterminated end tag');
        const name = s.slice(i + 2, end).trim();
        const open = top();
        if (open.type !== 'element' || open.name !== name)
          throw new XmlError(`the XML end tag </${name}> does not match its start tag`);
        stack.pop();
        i = end + 1;
      } else {
        const m = /^<([A-Za-z_][\w.:-]*)((?:\s+[A-Za-z_][\w.:-]*\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/.exec(
          s.slice(i),
        );
        if (!m) throw new XmlError(`the XML has a malformed tag at position ${i}`);
        const parent = top();
        if (parent.type === 'document' && parent.children.some(c => c.type === 'element'))
          throw new XmlError('the XML has more than one root element');
        const el: XmlElement = { type: 'element', name: m[1]!, attributes: [], children: [], parent };
        for (const a of m[2]!.matchAll(/([A-Za-z_][\w.:-]*)\s*=\s*("([^"]*)"|'([^']*)')/g))
          el.attributes.push({ name: a[1]!, value: decodeEntities(a[3] ?? a[4] ?? '') });
        parent.children.push(el);
        if (!m[3]) {
          if (stack.length > MAX_XML_DEPTH)
            throw new XmlError(`the XML is nested more than ${MAX_XML_DEPTH} levels deep`);
          stack.push(el);
        }
        i += m[0].length;
      }
    } else {
      const next = s.indexOf('<', i);
      const end = next === -1 ? s.length : next;
      const raw = s.slice(i, end);
      const parent = top();
      if (parent.type === 'document') {
        if (raw.trim() !== '') throw new XmlError('the XML has text outside its root element');
      } else parent.children.push({ type: 'text', value: decodeEntities(raw), parent });
      i = end;
    }
  }
  if (stack.length > 1) throw new XmlError(`the XML element <${(top() as XmlElement).name}> is never closed`);
  if (!doc.children.some(c => c.type === 'element')) throw new XmlError('the XML has no root element');
  return doc;
}

export function serializeNode(n: XmlNode | XmlDocument): string {
  if (n.type === 'text') return escapeText(n.value);
  if (n.type === 'document') return n.children.map(serializeNode).join('');
  const attrs = n.attributes.map(a => ` ${a.name}="${escapeAttr(a.value)}"`).join('');
  if (n.children.length === 0) return `<${n.name}${attrs} />`;
  return `<${n.name}${attrs}>${n.children.map(serializeNode).join('')}</${n.name}>`;
}

// ---- Newtonsoft's conversions ----

type Json = null | string | Json[] | { [k: string]: Json };

function elementToJson(el: XmlElement): Json {
  const elements = el.children.filter((c): c is XmlElement => c.type === 'element');
  const texts = el.children.filter((c): c is XmlText => c.type === 'text' && c.value.trim() !== '');
  if (el.attributes.length === 0 && elements.length === 0)
    return texts.length ? texts.map(t => t.value).join('') : null;
  const o: { [k: string]: Json } = {};
  for (const a of el.attributes) o[`@${a.name}`] = a.value;
  if (texts.length) o['#text'] = texts.map(t => t.value).join('');
  addChildren(o, elements);
  return o;
}

function addChildren(o: { [k: string]: Json }, elements: XmlElement[]): void {
  for (const child of elements) {
    const v = elementToJson(child);
    const existing = o[child.name];
    if (existing === undefined) o[child.name] = v;
    else if (Array.isArray(existing) && elements.filter(e => e.name === child.name).length > 1) existing.push(v);
    else o[child.name] = [existing, v];
  }
}

/** JsonConvert.SerializeXmlNode of a document. */
export function xmlToJson(doc: XmlDocument): Json {
  const o: { [k: string]: Json } = {};
  if (doc.declaration) o['?xml'] = Object.fromEntries(doc.declaration.map(a => [`@${a.name}`, a.value]));
  addChildren(
    o,
    doc.children.filter((c): c is XmlElement => c.type === 'element'),
  );
  return o;
}

function valueToXml(name: string, v: AdfValue, depth: number): string {
  if (depth > MAX_XML_DEPTH) throw new XmlError(`the JSON is nested more than ${MAX_XML_DEPTH} levels deep`);
  if (!/^[A-Za-z_][\w.:-]*$/.test(name)) throw new XmlError(`'${name}' is not a valid XML element name`);
  if (Array.isArray(v)) return v.map(x => valueToXml(name, x, depth + 1)).join('');
  if (v === null) return `<${name} />`;
  if (v instanceof Map) {
    let attrs = '';
    let body = '';
    for (const [k, x] of v) {
      if (k.startsWith('@')) attrs += ` ${k.slice(1)}="${escapeAttr(scalarText(x))}"`;
      else if (k === '#text') body += escapeText(scalarText(x));
      else body += valueToXml(k, x, depth + 1);
    }
    return body === '' ? `<${name}${attrs} />` : `<${name}${attrs}>${body}</${name}>`;
  }
  return `<${name}>${escapeText(scalarText(v))}</${name}>`;
}

function scalarText(v: AdfValue): string {
  if (v === null) return '';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint' || typeof v === 'number') return String(v);
  throw new XmlError('an attribute or text value must be a string, a number or a boolean');
}

/** JsonConvert.DeserializeXmlNode: the object must have exactly one root property, not an array. */
export function jsonToXml(o: AdfObject): string {
  const keys = [...o.keys()].filter(k => k !== '?xml');
  if (keys.length !== 1) throw new XmlError('the JSON object must have exactly one root property to become XML');
  const root = o.get(keys[0]!)!;
  if (Array.isArray(root)) throw new XmlError('the root property of the JSON object cannot be an array');
  return valueToXml(keys[0]!, root, 0);
}

// ---- XPath 1.0 ----

type XValue = AnyNode[] | string | number | boolean;

interface Token {
  kind: 'name' | 'string' | 'number' | 'op';
  text: string;
}

function tokenize(expr: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < expr.length) {
    const c = expr[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const two = expr.slice(i, i + 2);
    if (['//', '!=', '<=', '>=', '..', '::'].includes(two)) {
      tokens.push({ kind: 'op', text: two });
      i += 2;
      continue;
    }
    if ('/()[]@,|=<>+-*.'.includes(c) && !(c === '.' && /\d/.test(expr[i + 1] ?? ''))) {
      tokens.push({ kind: 'op', text: c });
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      const end = expr.indexOf(c, i + 1);
      if (end === -1) throw new XmlError('the XPath has an unterminated string');
      tokens.push({ kind: 'string', text: expr.slice(i + 1, end) });
      i = end + 1;
      continue;
    }
    const num = /^(\d+(\.\d*)?|\.\d+)/.exec(expr.slice(i));
    if (num) {
      tokens.push({ kind: 'number', text: num[0] });
      i += num[0].length;
      continue;
    }
    const name = /^[A-Za-z_][\w.-]*(:[A-Za-z_*][\w.-]*)?/.exec(expr.slice(i));
    if (name) {
      tokens.push({ kind: 'name', text: name[0] });
      i += name[0].length;
      continue;
    }
    throw new XmlError(`the XPath has an unexpected character '${c}'`);
  }
  return tokens;
}

type XExpr =
  | { k: 'literal'; v: string | number }
  | { k: 'binary'; op: string; a: XExpr; b: XExpr }
  | { k: 'neg'; a: XExpr }
  | { k: 'call'; name: string; args: XExpr[] }
  | { k: 'path'; absolute: boolean; start?: XExpr; steps: Step[] };
interface Step {
  axis: 'child' | 'descendant-or-self' | 'attribute' | 'self' | 'parent';
  test: string;
  predicates: XExpr[];
}

class XPathParser {
  i = 0;
  constructor(private readonly t: Token[]) {}
  peek(o = 0) {
    return this.t[this.i + o];
  }
  isOp(text: string, o = 0) {
    const tok = this.peek(o);
    return tok?.kind === 'op' && tok.text === text;
  }
  expect(text: string) {
    if (!this.isOp(text)) throw new XmlError(`the XPath expects '${text}'`);
    this.i++;
  }
  parse(): XExpr {
    const e = this.or();
    if (this.i < this.t.length) throw new XmlError(`the XPath has unexpected '${this.peek()!.text}'`);
    return e;
  }
  or(): XExpr {
    let a = this.and();
    while (this.peek()?.kind === 'name' && this.peek()!.text === 'or') {
      this.i++;
      a = { k: 'binary', op: 'or', a, b: this.and() };
    }
    return a;
  }
  and(): XExpr {
    let a = this.equality();
    while (this.peek()?.kind === 'name' && this.peek()!.text === 'and') {
      this.i++;
      a = { k: 'binary', op: 'and', a, b: this.equality() };
    }
    return a;
  }
  equality(): XExpr {
    let a = this.relational();
    while (this.isOp('=') || this.isOp('!=')) {
      const op = this.t[this.i++]!.text;
      a = { k: 'binary', op, a, b: this.relational() };
    }
    return a;
  }
  relational(): XExpr {
    let a = this.additive();
    while (this.isOp('<') || this.isOp('>') || this.isOp('<=') || this.isOp('>=')) {
      const op = this.t[this.i++]!.text;
      a = { k: 'binary', op, a, b: this.additive() };
    }
    return a;
  }
  additive(): XExpr {
    let a = this.multiplicative();
    while (this.isOp('+') || this.isOp('-')) {
      const op = this.t[this.i++]!.text;
      a = { k: 'binary', op, a, b: this.multiplicative() };
    }
    return a;
  }
  multiplicative(): XExpr {
    let a = this.unary();
    for (;;) {
      const tok = this.peek();
      const op =
        tok?.kind === 'op' && tok.text === '*'
          ? '*'
          : tok?.kind === 'name' && (tok.text === 'div' || tok.text === 'mod')
            ? tok.text
            : undefined;
      if (!op) return a;
      this.i++;
      a = { k: 'binary', op, a, b: this.unary() };
    }
  }
  unary(): XExpr {
    if (this.isOp('-')) {
      this.i++;
      return { k: 'neg', a: this.unary() };
    }
    return this.union();
  }
  union(): XExpr {
    let a = this.pathExpr();
    while (this.isOp('|')) {
      this.i++;
      a = { k: 'binary', op: '|', a, b: this.pathExpr() };
    }
    return a;
  }
  pathExpr(): XExpr {
    const tok = this.peek();
    if (!tok) throw new XmlError('the XPath ends too early');
    if (tok.kind === 'string') {
      this.i++;
      return { k: 'literal', v: tok.text };
    }
    if (tok.kind === 'number') {
      this.i++;
      return { k: 'literal', v: Number(tok.text) };
    }
    if (this.isOp('(')) {
      this.i++;
      const e = this.or();
      this.expect(')');
      return this.continuePath(e);
    }
    if (tok.kind === 'name' && this.isOp('(', 1) && !['text', 'node'].includes(tok.text)) {
      this.i += 2;
      const args: XExpr[] = [];
      if (!this.isOp(')')) {
        args.push(this.or());
        while (this.isOp(',')) {
          this.i++;
          args.push(this.or());
        }
      }
      this.expect(')');
      return this.continuePath({ k: 'call', name: tok.text, args });
    }
    return this.locationPath();
  }
  continuePath(start: XExpr): XExpr {
    if (!this.isOp('/') && !this.isOp('//')) return start;
    return { k: 'path', absolute: false, start, steps: this.steps() };
  }
  locationPath(): XExpr {
    let absolute = false;
    if (this.isOp('/') || this.isOp('//')) absolute = true;
    if (absolute && this.isOp('/')) {
      this.i++;
      const next = this.peek();
      if (!next || (next.kind === 'op' && !['@', '.', '..', '*'].includes(next.text)))
        return { k: 'path', absolute: true, steps: [] };
      return { k: 'path', absolute: true, steps: this.steps(false) };
    }
    return { k: 'path', absolute, steps: this.steps(!absolute) };
  }
  steps(first = false): Step[] {
    const steps: Step[] = [];
    let needSeparator = !first;
    for (;;) {
      if (needSeparator) {
        if (this.isOp('//')) {
          this.i++;
          steps.push({ axis: 'descendant-or-self', test: 'node()', predicates: [] });
        } else if (this.isOp('/')) this.i++;
        else if (steps.length > 0 || first) return steps;
      }
      needSeparator = true;
      steps.push(this.step());
      if (!this.isOp('/') && !this.isOp('//')) return steps;
    }
  }
  step(): Step {
    if (this.isOp('.')) {
      this.i++;
      return { axis: 'self', test: 'node()', predicates: [] };
    }
    if (this.isOp('..')) {
      this.i++;
      return { axis: 'parent', test: 'node()', predicates: [] };
    }
    let axis: Step['axis'] = 'child';
    if (this.isOp('@')) {
      this.i++;
      axis = 'attribute';
    }
    const tok = this.peek();
    let test: string;
    if (this.isOp('*')) {
      this.i++;
      test = '*';
    } else if (tok?.kind === 'name') {
      this.i++;
      test = tok.text;
      if ((test === 'text' || test === 'node') && this.isOp('(')) {
        this.i++;
        this.expect(')');
        test = `${test}()`;
      }
    } else throw new XmlError('the XPath expects a node name');
    const predicates: XExpr[] = [];
    while (this.isOp('[')) {
      this.i++;
      predicates.push(this.or());
      this.expect(']');
    }
    return { axis, test, predicates };
  }
}

const localName = (name: string) => name.slice(name.indexOf(':') + 1);

function stringValue(n: AnyNode): string {
  if (n.type === 'text' || n.type === 'attribute') return n.value;
  return n.children.map(c => stringValue(c)).join('');
}

function toStr(v: XValue): string {
  if (Array.isArray(v)) return v.length ? stringValue(v[0]!) : '';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return v;
}
const toNum = (v: XValue): number =>
  typeof v === 'number' ? v : typeof v === 'boolean' ? (v ? 1 : 0) : Number(toStr(v).trim() || NaN);
const toBool = (v: XValue): boolean =>
  Array.isArray(v)
    ? v.length > 0
    : typeof v === 'number'
      ? v !== 0 && !Number.isNaN(v)
      : typeof v === 'boolean'
        ? v
        : v.length > 0;

function matches(n: AnyNode, test: string, axis: Step['axis']): boolean {
  if (test === 'node()') return true;
  if (test === 'text()') return n.type === 'text';
  if (axis === 'attribute')
    return n.type === 'attribute' && (test === '*' || n.name === test || localName(n.name) === test);
  if (n.type !== 'element') return false;
  return test === '*' || n.name === test || (!test.includes(':') && localName(n.name) === test);
}

function childrenOf(n: AnyNode): AnyNode[] {
  return n.type === 'element' || n.type === 'document' ? n.children : [];
}

function descendantsOrSelf(n: AnyNode, out: AnyNode[]): void {
  out.push(n);
  for (const c of childrenOf(n)) descendantsOrSelf(c, out);
}

class XPathEvaluator {
  steps = 0;
  constructor(private readonly root: XmlDocument) {}

  eval(e: XExpr, ctx: AnyNode, pos: number, size: number): XValue {
    if (++this.steps > 1_000_000) throw new XmlError('the XPath takes too long to evaluate');
    switch (e.k) {
      case 'literal':
        return e.v;
      case 'neg':
        return -toNum(this.eval(e.a, ctx, pos, size));
      case 'binary':
        return this.binary(e.op, e.a, e.b, ctx, pos, size);
      case 'call':
        return this.call(e.name, e.args, ctx, pos, size);
      case 'path': {
        let nodes: AnyNode[];
        if (e.start) {
          const s = this.eval(e.start, ctx, pos, size);
          if (!Array.isArray(s)) throw new XmlError('the XPath applies a path to something that is not a node-set');
          nodes = s;
        } else nodes = [e.absolute ? this.root : ctx];
        for (const step of e.steps) nodes = this.step(nodes, step);
        return nodes;
      }
    }
  }

  step(nodes: AnyNode[], step: Step): AnyNode[] {
    const out: AnyNode[] = [];
    for (const n of nodes) {
      let candidates: AnyNode[];
      switch (step.axis) {
        case 'child':
          candidates = childrenOf(n);
          break;
        case 'attribute':
          candidates =
            n.type === 'element'
              ? n.attributes.map(a => ({ type: 'attribute' as const, name: a.name, value: a.value, parent: n }))
              : [];
          break;
        case 'self':
          candidates = [n];
          break;
        case 'parent':
          candidates = 'parent' in n && n.parent ? [n.parent] : [];
          break;
        case 'descendant-or-self':
          candidates = [];
          descendantsOrSelf(n, candidates);
          break;
      }
      let selected = candidates.filter(c => matches(c, step.test, step.axis));
      for (const p of step.predicates) {
        const size = selected.length;
        selected = selected.filter((c, i) => {
          const r = this.eval(p, c, i + 1, size);
          return typeof r === 'number' ? r === i + 1 : toBool(r);
        });
      }
      for (const s of selected) if (!out.includes(s)) out.push(s);
    }
    return out;
  }

  binary(op: string, a: XExpr, b: XExpr, ctx: AnyNode, pos: number, size: number): XValue {
    if (op === 'or') return toBool(this.eval(a, ctx, pos, size)) || toBool(this.eval(b, ctx, pos, size));
    if (op === 'and') return toBool(this.eval(a, ctx, pos, size)) && toBool(this.eval(b, ctx, pos, size));
    const x = this.eval(a, ctx, pos, size);
    const y = this.eval(b, ctx, pos, size);
    if (op === '|') {
      if (!Array.isArray(x) || !Array.isArray(y)) throw new XmlError("the XPath '|' joins node-sets only");
      return [...x, ...y.filter(n => !x.includes(n))];
    }
    if (['=', '!=', '<', '>', '<=', '>='].includes(op)) return compareValues(op, x, y);
    const m = toNum(x);
    const n = toNum(y);
    switch (op) {
      case '+':
        return m + n;
      case '-':
        return m - n;
      case '*':
        return m * n;
      case 'div':
        return m / n;
      default:
        return m % n;
    }
  }

  call(name: string, args: XExpr[], ctx: AnyNode, pos: number, size: number): XValue {
    const v = (i: number) => this.eval(args[i]!, ctx, pos, size);
    const nodeArg = (): AnyNode | undefined => {
      if (args.length === 0) return ctx;
      const r = v(0);
      if (!Array.isArray(r)) throw new XmlError(`the XPath function ${name}() expects a node-set`);
      return r[0];
    };
    switch (name) {
      case 'count': {
        const r = v(0);
        if (!Array.isArray(r)) throw new XmlError('the XPath function count() expects a node-set');
        return r.length;
      }
      case 'sum': {
        const r = v(0);
        if (!Array.isArray(r)) throw new XmlError('the XPath function sum() expects a node-set');
        return r.reduce((s, n) => s + Number(stringValue(n).trim() || NaN), 0);
      }
      case 'string':
        return args.length ? toStr(v(0)) : stringValue(ctx);
      case 'number':
        return args.length ? toNum(v(0)) : toNum([ctx]);
      case 'boolean':
        return toBool(v(0));
      case 'not':
        return !toBool(v(0));
      case 'true':
        return true;
      case 'false':
        return false;
      case 'position':
        return pos;
      case 'last':
        return size;
      case 'name': {
        const n = nodeArg();
        return n && (n.type === 'element' || n.type === 'attribute') ? n.name : '';
      }
      case 'local-name': {
        const n = nodeArg();
        return n && (n.type === 'element' || n.type === 'attribute') ? localName(n.name) : '';
      }
      case 'namespace-uri': {
        const n = nodeArg();
        return n && n.type === 'element' ? namespaceOf(n) : '';
      }
      case 'concat':
        return args.map((_, i) => toStr(v(i))).join('');
      case 'contains':
        return toStr(v(0)).includes(toStr(v(1)));
      case 'starts-with':
        return toStr(v(0)).startsWith(toStr(v(1)));
      case 'string-length':
        return (args.length ? toStr(v(0)) : stringValue(ctx)).length;
      case 'normalize-space':
        return (args.length ? toStr(v(0)) : stringValue(ctx)).trim().replace(/\s+/g, ' ');
      case 'substring': {
        const s = toStr(v(0));
        const start = Math.round(toNum(v(1)));
        const len = args.length > 2 ? Math.round(toNum(v(2))) : Infinity;
        return [...s].filter((_, i) => i + 1 >= start && i + 1 < start + len).join('');
      }
      case 'substring-before': {
        const s = toStr(v(0));
        const i = s.indexOf(toStr(v(1)));
        return i === -1 ? '' : s.slice(0, i);
      }
      case 'substring-after': {
        const s = toStr(v(0));
        const t = toStr(v(1));
        const i = s.indexOf(t);
        return i === -1 ? '' : s.slice(i + t.length);
      }
      case 'translate': {
        const from = toStr(v(1));
        const to = toStr(v(2));
        return [...toStr(v(0))].map(ch => (from.includes(ch) ? (to[from.indexOf(ch)] ?? '') : ch)).join('');
      }
      case 'floor':
        return Math.floor(toNum(v(0)));
      case 'ceiling':
        return Math.ceil(toNum(v(0)));
      case 'round':
        return Math.round(toNum(v(0)));
      default:
        throw new XmlError(`the XPath function ${name}() is not supported`);
    }
  }
}

function namespaceOf(el: XmlElement): string {
  const prefix = el.name.includes(':') ? el.name.slice(0, el.name.indexOf(':')) : '';
  const attr = prefix ? `xmlns:${prefix}` : 'xmlns';
  for (let n: XmlElement | XmlDocument | undefined = el; n && n.type === 'element'; n = n.parent) {
    const a = n.attributes.find(x => x.name === attr);
    if (a) return a.value;
  }
  return '';
}

function compareValues(op: string, x: XValue, y: XValue): boolean {
  const cmp = (a: string | number | boolean, b: string | number | boolean): boolean => {
    if (op === '=' || op === '!=') {
      let eq: boolean;
      if (typeof a === 'boolean' || typeof b === 'boolean') eq = toBool(a) === toBool(b);
      else if (typeof a === 'number' || typeof b === 'number') eq = toNum(a) === toNum(b);
      else eq = a === b;
      return op === '=' ? eq : !eq;
    }
    const m = toNum(a);
    const n = toNum(b);
    return op === '<' ? m < n : op === '>' ? m > n : op === '<=' ? m <= n : m >= n;
  };
  const values = (v: XValue): (string | number | boolean)[] => (Array.isArray(v) ? v.map(stringValue) : [v]);
  if (Array.isArray(x) || Array.isArray(y)) {
    const xs = values(x);
    const ys = values(y);
    if (typeof y === 'number' || typeof x === 'number')
      return xs.some(a =>
        ys.some(b => cmp(typeof x === 'number' ? a : toNum(a), typeof y === 'number' ? b : toNum(b))),
      );
    return xs.some(a => ys.some(b => cmp(a, b)));
  }
  return cmp(x, y);
}

/**
 * Evaluates an XPath against a document. A node-set becomes a node (or its text, for attributes
 * and text nodes) when it has one node, else an array of them; `wrap` turns an element's XML into
 * the engine's XML value.
 */
export function xpath(doc: XmlDocument, expression: string, wrap: (xml: string) => AdfValue): AdfValue {
  const tree = new XPathParser(tokenize(expression)).parse();
  const r = new XPathEvaluator(doc).eval(tree, doc, 1, 1);
  if (!Array.isArray(r)) return r;
  const items = r.map(n =>
    n.type === 'element' ? wrap(serializeNode(n)) : n.type === 'document' ? wrap(serializeNode(n)) : n.value,
  );
  return items.length === 1 ? items[0]! : items;
}
