// Jinja2's grammar (jinja2/parser.py), including its operator precedence, which differs from
// nunjucks: "~" binds tighter than "+", tests take one bare argument ("is divisibleby 3"),
// for-loops filter with "if" and may be "recursive".
import { tokenize, type Token } from './lexer';
import { TemplateError } from './pyValue';
import { isStackOverflow } from './limits';

export type Expr =
  | { kind: 'const'; value: null | boolean | string | number | bigint; isFloat?: boolean; line: number }
  | { kind: 'name'; name: string; line: number }
  | { kind: 'tuple' | 'list'; items: Expr[]; line: number }
  | { kind: 'dict'; items: [Expr, Expr][]; line: number }
  | { kind: 'getattr'; target: Expr; name: string; line: number }
  | { kind: 'getitem'; target: Expr; index: Expr; line: number }
  | { kind: 'slice'; start?: Expr; stop?: Expr; step?: Expr; line: number }
  | { kind: 'call'; callee: Expr; args: CallSyntax; line: number }
  | { kind: 'filter'; target: Expr | null; name: string; args: CallSyntax; line: number }
  | { kind: 'test'; target: Expr; name: string; args: CallSyntax; line: number }
  | { kind: 'binary'; operator: string; left: Expr; right: Expr; line: number }
  | { kind: 'unary'; operator: 'not' | '-' | '+'; operand: Expr; line: number }
  | { kind: 'and' | 'or'; left: Expr; right: Expr; line: number }
  | { kind: 'compare'; first: Expr; ops: { operator: string; operand: Expr }[]; line: number }
  | { kind: 'concat'; parts: Expr[]; line: number }
  | { kind: 'condexpr'; test: Expr; body: Expr; orelse?: Expr; line: number };

export interface CallSyntax {
  positional: Expr[];
  keywords: [string, Expr][];
  starArgs?: Expr;
  starKwargs?: Expr;
}

export type Target =
  | { kind: 'name'; name: string }
  | { kind: 'nsref'; name: string; attribute: string }
  | { kind: 'tuple'; items: Target[] };

export interface MacroSignature {
  params: string[];
  defaults: (Expr | undefined)[];
}

export type Stmt =
  | { kind: 'output'; nodes: (string | Expr)[]; line: number }
  | {
      kind: 'for';
      target: Target;
      iter: Expr;
      filter?: Expr;
      recursive: boolean;
      body: Stmt[];
      orelse: Stmt[];
      line: number;
    }
  | { kind: 'if'; test: Expr; body: Stmt[]; orelse: Stmt[]; line: number }
  | { kind: 'set'; target: Target; value: Expr; line: number }
  | { kind: 'setblock'; target: Target; filter?: Expr; body: Stmt[]; line: number }
  | { kind: 'macro'; name: string; signature: MacroSignature; body: Stmt[]; line: number }
  | { kind: 'callblock'; call: Expr; signature: MacroSignature; body: Stmt[]; line: number }
  | { kind: 'filterblock'; filter: Expr; body: Stmt[]; line: number }
  | { kind: 'block'; name: string; scoped: boolean; required: boolean; body: Stmt[]; line: number }
  | { kind: 'extends'; template: Expr; line: number }
  | { kind: 'include'; template: Expr; ignoreMissing: boolean; withContext: boolean; line: number }
  | { kind: 'import'; template: Expr; alias: string; withContext: boolean; line: number }
  | { kind: 'fromimport'; template: Expr; names: [string, string][]; withContext: boolean; line: number }
  | { kind: 'with'; targets: Target[]; values: Expr[]; body: Stmt[]; line: number }
  | { kind: 'autoescape'; value: Expr; body: Stmt[]; line: number };

const END_TAGS_DESCRIPTION: Record<string, string> = {
  variable_end: 'end of print statement',
  block_end: 'end of statement block',
  eof: 'end of template',
};

function describe(token: Token): string {
  if (token.type === 'name' || token.type === 'operator') return token.value;
  if (token.type === 'string') return 'string';
  if (token.type === 'integer' || token.type === 'float') return token.value;
  return END_TAGS_DESCRIPTION[token.type] ?? token.type;
}

const COMPARE_OPERATORS = new Set(['==', '!=', '<', '<=', '>', '>=']);

export function parseTemplate(source: string): Stmt[] {
  const parser = new Parser(tokenize(source));
  try {
    return parser.parseRoot();
  } catch (error) {
    // The grammar is recursive, as Jinja2's is (CPython stops that one far sooner): a stack
    // overflow is the template's nesting, reported on the line the parser had reached.
    if (!isStackOverflow(error)) throw error;
    throw new TemplateError(
      'runtime',
      'maximum recursion depth exceeded: expressions or blocks nested too deeply to parse',
      parser.line,
    );
  }
}

class Parser {
  private pos = 0;
  /** Open block tags, innermost last, for "Jinja was looking for…" messages. */
  private readonly tagStack: string[] = [];

  constructor(private readonly tokens: Token[]) {}

  private get current(): Token {
    return this.tokens[this.pos]!;
  }
  /** The line of the token being parsed. */
  get line(): number {
    return this.tokens[Math.min(this.pos, this.tokens.length - 1)]?.line ?? 1;
  }
  private look(offset = 1): Token {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)]!;
  }
  private next(): Token {
    const token = this.current;
    if (token.type !== 'eof') this.pos++;
    return token;
  }
  private fail(message: string, line = this.current.line): never {
    throw new TemplateError('syntax', message, line);
  }
  private isName(value: string, token = this.current): boolean {
    return token.type === 'name' && token.value === value;
  }
  private isOperator(value: string, token = this.current): boolean {
    return token.type === 'operator' && token.value === value;
  }
  private skipName(value: string): boolean {
    if (!this.isName(value)) return false;
    this.next();
    return true;
  }
  private skipOperator(value: string): boolean {
    if (!this.isOperator(value)) return false;
    this.next();
    return true;
  }
  private expectOperator(value: string): Token {
    if (!this.isOperator(value)) this.fail(`expected token '${value}', got '${describe(this.current)}'`);
    return this.next();
  }
  private expectName(value?: string): Token {
    if (this.current.type !== 'name' || (value !== undefined && this.current.value !== value)) {
      this.fail(
        value
          ? `expected token '${value}', got '${describe(this.current)}'`
          : `expected token 'name', got '${describe(this.current)}'`,
      );
    }
    return this.next();
  }
  private expectBlockEnd(): void {
    if (this.current.type !== 'block_end')
      this.fail(`expected token 'end of statement block', got '${describe(this.current)}'`);
    this.next();
  }

  parseRoot(): Stmt[] {
    const body = this.subparse(null);
    if (this.current.type !== 'eof') this.fail(`unexpected '${describe(this.current)}'`);
    return body;
  }

  /** Parses statements until one of endTags opens a block (left as the current token). */
  private subparse(endTags: string[] | null): Stmt[] {
    const body: Stmt[] = [];
    let data: (string | Expr)[] = [];
    let dataLine = this.current.line;
    const flush = () => {
      if (data.length) body.push({ kind: 'output', nodes: data, line: dataLine });
      data = [];
    };
    for (;;) {
      const token = this.current;
      if (token.type === 'eof') {
        if (endTags) this.failUnclosed(endTags);
        break;
      }
      if (token.type === 'data') {
        if (!data.length) dataLine = token.line;
        data.push(token.value);
        this.next();
      } else if (token.type === 'variable_begin') {
        if (!data.length) dataLine = token.line;
        this.next();
        data.push(this.parseTuple({ withCondexpr: true }));
        if (this.current.type !== 'variable_end')
          this.fail(`expected token 'end of print statement', got '${describe(this.current)}'`);
        this.next();
      } else if (token.type === 'block_begin') {
        flush();
        this.next();
        if (endTags && this.current.type === 'name' && endTags.includes(this.current.value)) return body;
        body.push(this.parseStatement());
      } else {
        this.fail(`unexpected '${describe(token)}'`);
      }
    }
    flush();
    return body;
  }

  private failUnclosed(endTags: string[]): never {
    const expected = endTags.map(t => `'${t}'`).join(' or ');
    const innermost = this.tagStack[this.tagStack.length - 1];
    this.fail(
      `Unexpected end of template. Jinja was looking for the following tags: ` +
        `${expected}.${innermost ? ` The innermost block that needs to be closed is '${innermost}'.` : ''}`,
    );
  }

  private parseStatement(): Stmt {
    const token = this.current;
    if (token.type !== 'name') this.fail('tag name expected');
    this.tagStack.push(token.value);
    try {
      switch (token.value) {
        case 'for':
          return this.parseFor();
        case 'if':
          return this.parseIf();
        case 'set':
          return this.parseSet();
        case 'macro':
          return this.parseMacro();
        case 'call':
          return this.parseCallBlock();
        case 'filter':
          return this.parseFilterBlock();
        case 'block':
          return this.parseBlock();
        case 'extends':
          return this.parseExtends();
        case 'include':
          return this.parseInclude();
        case 'import':
          return this.parseImport();
        case 'from':
          return this.parseFrom();
        case 'with':
          return this.parseWith();
        case 'autoescape':
          return this.parseAutoescape();
        case 'print': {
          const line = this.next().line;
          const value = this.parseTuple({ withCondexpr: true });
          this.expectBlockEnd();
          return { kind: 'output', nodes: [value], line };
        }
      }
      const hint = ['do', 'break', 'continue', 'trans', 'debug'].includes(token.value)
        ? ` Jinja2's default environment does not enable the extension for '${token.value}'.`
        : '';
      this.fail(`Encountered unknown tag '${token.value}'.${hint}`);
    } finally {
      this.tagStack.pop();
    }
  }

  /** Parses the body of a block tag until one of the end tags; consumes "{% endX %}" when drop. */
  private parseBody(endTags: string[], dropNeedle: boolean): Stmt[] {
    const body = this.subparse(endTags);
    if (dropNeedle) {
      this.next();
      this.expectBlockEnd();
    }
    return body;
  }

  private parseFor(): Stmt {
    const line = this.next().line;
    const target = this.parseAssignTarget({ extraEndNames: ['in'] });
    this.expectName('in');
    const iter = this.parseTuple({ withCondexpr: false, extraEndNames: ['recursive'] });
    let filter: Expr | undefined;
    if (this.skipName('if')) filter = this.parseExpression(true);
    const recursive = this.skipName('recursive');
    this.expectBlockEnd();
    const body = this.subparse(['endfor', 'else']);
    let orelse: Stmt[] = [];
    if (this.next().value === 'endfor') this.expectBlockEnd();
    else {
      this.expectBlockEnd();
      orelse = this.parseBody(['endfor'], true);
    }
    return { kind: 'for', target, iter, ...(filter ? { filter } : {}), recursive, body, orelse, line };
  }

  private parseIf(): Stmt {
    const line = this.next().line;
    const test = this.parseTuple({ withCondexpr: false });
    this.expectBlockEnd();
    const body = this.subparse(['elif', 'else', 'endif']);
    const tag = this.next();
    if (tag.value === 'elif') {
      this.pos--; // re-read "elif" as an "if"
      return { kind: 'if', test, body, orelse: [this.parseIf()], line };
    }
    this.expectBlockEnd();
    if (tag.value === 'else') return { kind: 'if', test, body, orelse: this.parseBody(['endif'], true), line };
    return { kind: 'if', test, body, orelse: [], line };
  }

  private parseSet(): Stmt {
    const line = this.next().line;
    const target = this.parseAssignTarget({ withNamespace: true });
    if (this.skipOperator('=')) {
      const value = this.parseTuple({ withCondexpr: true });
      this.expectBlockEnd();
      return { kind: 'set', target, value, line };
    }
    const filter = this.isOperator('|') ? this.parseFilter(null) : undefined;
    this.expectBlockEnd();
    const body = this.parseBody(['endset'], true);
    return { kind: 'setblock', target, ...(filter ? { filter } : {}), body, line };
  }

  private parseSignature(): MacroSignature {
    const signature: MacroSignature = { params: [], defaults: [] };
    this.expectOperator('(');
    while (!this.isOperator(')')) {
      if (signature.params.length) this.expectOperator(',');
      if (this.isOperator(')')) break; // trailing comma
      const name = this.expectName().value;
      signature.params.push(name);
      if (this.skipOperator('=')) signature.defaults.push(this.parseExpression(true));
      else {
        if (signature.defaults.some(d => d)) this.fail('non-default argument follows default argument');
        signature.defaults.push(undefined);
      }
    }
    this.next();
    return signature;
  }

  private parseMacro(): Stmt {
    const line = this.next().line;
    const name = this.expectName().value;
    const signature = this.parseSignature();
    this.expectBlockEnd();
    return { kind: 'macro', name, signature, body: this.parseBody(['endmacro'], true), line };
  }

  private parseCallBlock(): Stmt {
    const line = this.next().line;
    const signature = this.isOperator('(') ? this.parseSignature() : { params: [], defaults: [] };
    const call = this.parseExpression(true);
    if (call.kind !== 'call') this.fail('expected call', line);
    this.expectBlockEnd();
    return { kind: 'callblock', call, signature, body: this.parseBody(['endcall'], true), line };
  }

  private parseFilterBlock(): Stmt {
    const line = this.next().line;
    const filter = this.parseFilter(null, true);
    this.expectBlockEnd();
    return { kind: 'filterblock', filter, body: this.parseBody(['endfilter'], true), line };
  }

  private parseBlock(): Stmt {
    const line = this.next().line;
    const name = this.expectName().value;
    const scoped = this.skipName('scoped');
    const required = this.skipName('required');
    this.expectBlockEnd();
    const body = this.subparse(['endblock']);
    this.next();
    if (this.current.type === 'name') {
      if (this.current.value !== name) this.fail(`mismatching name on block end: '${this.current.value}'`);
      this.next();
    }
    this.expectBlockEnd();
    return { kind: 'block', name, scoped, required, body, line };
  }

  private parseExtends(): Stmt {
    const line = this.next().line;
    const template = this.parseExpression(true);
    this.expectBlockEnd();
    return { kind: 'extends', template, line };
  }

  private parseImportContext(defaultValue: boolean): boolean {
    if ((this.isName('with') || this.isName('without')) && this.isName('context', this.look())) {
      const withContext = this.next().value === 'with';
      this.next();
      return withContext;
    }
    return defaultValue;
  }

  private parseInclude(): Stmt {
    const line = this.next().line;
    const template = this.parseExpression(true);
    let ignoreMissing = false;
    if (this.isName('ignore') && this.isName('missing', this.look())) {
      this.pos += 2;
      ignoreMissing = true;
    }
    const withContext = this.parseImportContext(true);
    this.expectBlockEnd();
    return { kind: 'include', template, ignoreMissing, withContext, line };
  }

  private parseImport(): Stmt {
    const line = this.next().line;
    const template = this.parseExpression(true);
    this.expectName('as');
    const alias = this.expectName().value;
    const withContext = this.parseImportContext(false);
    this.expectBlockEnd();
    return { kind: 'import', template, alias, withContext, line };
  }

  private parseFrom(): Stmt {
    const line = this.next().line;
    const template = this.parseExpression(true);
    this.expectName('import');
    const names: [string, string][] = [];
    let withContext = false;
    for (;;) {
      if (names.length) this.expectOperator(',');
      if (this.current.type === 'name') {
        if ((this.isName('with') || this.isName('without')) && this.isName('context', this.look())) {
          withContext = this.parseImportContext(false);
          break;
        }
        const name = this.next().value;
        if (name.startsWith('_')) this.fail('names starting with an underline can not be imported');
        const alias = this.skipName('as') ? this.expectName().value : name;
        names.push([name, alias]);
        if ((this.isName('with') || this.isName('without')) && this.isName('context', this.look())) {
          withContext = this.parseImportContext(false);
          break;
        }
        if (!this.isOperator(',')) break;
      } else {
        break;
      }
    }
    if (!names.length) this.fail("expected token 'name'");
    this.expectBlockEnd();
    return { kind: 'fromimport', template, names, withContext, line };
  }

  private parseWith(): Stmt {
    const line = this.next().line;
    const targets: Target[] = [];
    const values: Expr[] = [];
    while (this.current.type !== 'block_end') {
      if (targets.length) this.expectOperator(',');
      targets.push(this.parseAssignTarget({}));
      this.expectOperator('=');
      values.push(this.parseExpression(true));
    }
    this.next();
    return { kind: 'with', targets, values, body: this.parseBody(['endwith'], true), line };
  }

  private parseAutoescape(): Stmt {
    const line = this.next().line;
    const value = this.parseExpression(true);
    this.expectBlockEnd();
    return { kind: 'autoescape', value, body: this.parseBody(['endautoescape'], true), line };
  }

  private parseAssignTarget(options: { withNamespace?: boolean; extraEndNames?: string[] }): Target {
    if (options.withNamespace && this.current.type === 'name' && this.isOperator('.', this.look())) {
      const name = this.next().value;
      this.next();
      return { kind: 'nsref', name, attribute: this.expectName().value };
    }
    const items: Target[] = [];
    let isTuple = false;
    for (;;) {
      if (items.length) {
        if (!this.skipOperator(',')) break;
        isTuple = true;
      }
      if (this.isTupleEnd(options.extraEndNames)) break;
      items.push(this.parseSimpleTarget());
    }
    if (!items.length) this.fail(`expected an expression, got '${describe(this.current)}'`);
    return isTuple ? { kind: 'tuple', items } : items[0]!;
  }

  private parseSimpleTarget(): Target {
    if (this.current.type === 'name') {
      const name = this.next().value;
      if (['true', 'false', 'none', 'True', 'False', 'None'].includes(name)) this.fail(`can't assign to '${name}'`);
      return { kind: 'name', name };
    }
    if (this.skipOperator('(')) {
      const inner = this.parseAssignTarget({});
      this.expectOperator(')');
      return inner;
    }
    this.fail(`can't assign to '${describe(this.current)}'`);
  }

  private isTupleEnd(extraEndNames?: string[]): boolean {
    const token = this.current;
    if (token.type === 'variable_end' || token.type === 'block_end' || token.type === 'eof') return true;
    if (
      token.type === 'operator' &&
      (token.value === ')' || token.value === ']' || token.value === '}' || token.value === '=')
    )
      return true;
    return !!extraEndNames && token.type === 'name' && extraEndNames.includes(token.value);
  }

  // --- expressions ------------------------------------------------------------------------

  private parseTuple(options: {
    withCondexpr: boolean;
    extraEndNames?: string[];
    explicitParentheses?: boolean;
  }): Expr {
    const line = this.current.line;
    const items: Expr[] = [];
    let isTuple = false;
    for (;;) {
      if (items.length) {
        if (!this.skipOperator(',')) break;
        isTuple = true;
      }
      if (this.isTupleEnd(options.extraEndNames)) break;
      items.push(this.parseExpression(options.withCondexpr));
    }
    if (!isTuple) {
      if (items.length) return items[0]!;
      if (!options.explicitParentheses) this.fail(`Expected an expression, got '${describe(this.current)}'`);
    }
    return { kind: 'tuple', items, line };
  }

  private parseExpression(withCondexpr: boolean): Expr {
    return withCondexpr ? this.parseCondexpr() : this.parseOr();
  }

  private parseCondexpr(): Expr {
    let expr = this.parseOr();
    while (this.skipName('if')) {
      const test = this.parseOr();
      const orelse = this.skipName('else') ? this.parseCondexpr() : undefined;
      expr = { kind: 'condexpr', test, body: expr, ...(orelse ? { orelse } : {}), line: expr.line };
    }
    return expr;
  }

  private parseOr(): Expr {
    let left = this.parseAnd();
    while (this.skipName('or')) left = { kind: 'or', left, right: this.parseAnd(), line: left.line };
    return left;
  }

  private parseAnd(): Expr {
    let left = this.parseNot();
    while (this.skipName('and')) left = { kind: 'and', left, right: this.parseNot(), line: left.line };
    return left;
  }

  private parseNot(): Expr {
    if (this.isName('not')) {
      const line = this.next().line;
      return { kind: 'unary', operator: 'not', operand: this.parseNot(), line };
    }
    return this.parseCompare();
  }

  private parseCompare(): Expr {
    const first = this.parseMath1();
    const ops: { operator: string; operand: Expr }[] = [];
    for (;;) {
      const token = this.current;
      if (token.type === 'operator' && COMPARE_OPERATORS.has(token.value)) {
        this.next();
        ops.push({ operator: token.value, operand: this.parseMath1() });
      } else if (this.skipName('in')) {
        ops.push({ operator: 'in', operand: this.parseMath1() });
      } else if (this.isName('not') && this.isName('in', this.look())) {
        this.pos += 2;
        ops.push({ operator: 'notin', operand: this.parseMath1() });
      } else break;
    }
    return ops.length ? { kind: 'compare', first, ops, line: first.line } : first;
  }

  private parseMath1(): Expr {
    let left = this.parseConcat();
    while (this.isOperator('+') || this.isOperator('-')) {
      const operator = this.next().value;
      left = { kind: 'binary', operator, left, right: this.parseConcat(), line: left.line };
    }
    return left;
  }

  private parseConcat(): Expr {
    const parts = [this.parseMath2()];
    while (this.skipOperator('~')) parts.push(this.parseMath2());
    return parts.length === 1 ? parts[0]! : { kind: 'concat', parts, line: parts[0]!.line };
  }

  private parseMath2(): Expr {
    let left = this.parsePow();
    while (['*', '/', '//', '%'].some(op => this.isOperator(op))) {
      const operator = this.next().value;
      left = { kind: 'binary', operator, left, right: this.parsePow(), line: left.line };
    }
    return left;
  }

  private parsePow(): Expr {
    let left = this.parseUnary(true);
    while (this.skipOperator('**'))
      left = { kind: 'binary', operator: '**', left, right: this.parseUnary(true), line: left.line };
    return left;
  }

  private parseUnary(withFilter: boolean): Expr {
    const token = this.current;
    let node: Expr;
    if (this.isOperator('-') || this.isOperator('+')) {
      this.next();
      node = { kind: 'unary', operator: token.value as '-' | '+', operand: this.parseUnary(false), line: token.line };
    } else {
      node = this.parsePrimary();
    }
    node = this.parsePostfix(node);
    if (withFilter) node = this.parseFilterExpr(node);
    return node;
  }

  private parsePrimary(): Expr {
    const token = this.current;
    const line = token.line;
    if (token.type === 'name') {
      this.next();
      if (token.value === 'true' || token.value === 'True') return { kind: 'const', value: true, line };
      if (token.value === 'false' || token.value === 'False') return { kind: 'const', value: false, line };
      if (token.value === 'none' || token.value === 'None') return { kind: 'const', value: null, line };
      return { kind: 'name', name: token.value, line };
    }
    if (token.type === 'string') {
      let value = this.next().value;
      while (this.current.type === 'string') value += this.next().value; // adjacent literals join
      return { kind: 'const', value, line };
    }
    if (token.type === 'integer') {
      this.next();
      return { kind: 'const', value: token.number!, line };
    }
    if (token.type === 'float') {
      this.next();
      return { kind: 'const', value: token.number!, isFloat: true, line };
    }
    if (this.skipOperator('(')) {
      const inner = this.parseTuple({ withCondexpr: true, explicitParentheses: true });
      this.expectOperator(')');
      return inner;
    }
    if (this.skipOperator('[')) {
      const items: Expr[] = [];
      while (!this.isOperator(']')) {
        if (items.length) this.expectOperator(',');
        if (this.isOperator(']')) break;
        items.push(this.parseExpression(true));
      }
      this.next();
      return { kind: 'list', items, line };
    }
    if (this.skipOperator('{')) {
      const items: [Expr, Expr][] = [];
      while (!this.isOperator('}')) {
        if (items.length) this.expectOperator(',');
        if (this.isOperator('}')) break;
        const key = this.parseExpression(true);
        this.expectOperator(':');
        items.push([key, this.parseExpression(true)]);
      }
      this.next();
      return { kind: 'dict', items, line };
    }
    this.fail(`unexpected '${describe(token)}'`);
  }

  private parsePostfix(node: Expr): Expr {
    for (;;) {
      if (this.isOperator('.') || this.isOperator('[')) node = this.parseSubscript(node);
      else if (this.isOperator('(')) node = { kind: 'call', callee: node, args: this.parseCallArgs(), line: node.line };
      else return node;
    }
  }

  private parseFilterExpr(node: Expr): Expr {
    for (;;) {
      if (this.isOperator('|')) node = this.parseFilter(node);
      else if (this.isName('is')) node = this.parseTest(node);
      else if (this.isOperator('(')) node = { kind: 'call', callee: node, args: this.parseCallArgs(), line: node.line };
      else return node;
    }
  }

  private parseSubscript(node: Expr): Expr {
    const token = this.next();
    if (token.value === '.') {
      const attribute = this.next();
      if (attribute.type === 'name') return { kind: 'getattr', target: node, name: attribute.value, line: token.line };
      if (attribute.type === 'integer')
        return {
          kind: 'getitem',
          target: node,
          index: { kind: 'const', value: attribute.number!, line: token.line },
          line: token.line,
        };
      this.fail('expected name or number', token.line);
    }
    const indexes: Expr[] = [];
    while (!this.isOperator(']')) {
      if (indexes.length) this.expectOperator(',');
      indexes.push(this.parseSubscribed());
    }
    this.next();
    const index = indexes.length === 1 ? indexes[0]! : { kind: 'tuple' as const, items: indexes, line: token.line };
    return { kind: 'getitem', target: node, index, line: token.line };
  }

  private parseSubscribed(): Expr {
    const line = this.current.line;
    const parts: (Expr | undefined)[] = [];
    if (this.isOperator(':')) {
      this.next();
      parts.push(undefined);
    } else {
      const expr = this.parseExpression(true);
      if (!this.isOperator(':')) return expr;
      this.next();
      parts.push(expr);
    }
    parts.push(
      this.isOperator(']') || this.isOperator(',') || this.isOperator(':') ? undefined : this.parseExpression(true),
    );
    if (this.skipOperator(':'))
      parts.push(this.isOperator(']') || this.isOperator(',') ? undefined : this.parseExpression(true));
    const [start, stop, step] = parts;
    return { kind: 'slice', ...(start ? { start } : {}), ...(stop ? { stop } : {}), ...(step ? { step } : {}), line };
  }

  private parseCallArgs(): CallSyntax {
    this.expectOperator('(');
    const args: CallSyntax = { positional: [], keywords: [] };
    let first = true;
    while (!this.isOperator(')')) {
      if (!first) {
        this.expectOperator(',');
        if (this.isOperator(')')) break;
      }
      first = false;
      if (this.skipOperator('**')) args.starKwargs = this.parseExpression(true);
      else if (this.skipOperator('*')) args.starArgs = this.parseExpression(true);
      else if (this.current.type === 'name' && this.isOperator('=', this.look())) {
        const key = this.next().value;
        this.next();
        args.keywords.push([key, this.parseExpression(true)]);
      } else {
        if (args.keywords.length || args.starArgs || args.starKwargs) this.fail('Invalid argument syntax');
        args.positional.push(this.parseExpression(true));
      }
    }
    this.next();
    return args;
  }

  private parseFilter(node: Expr | null, startInline = false): Expr {
    let result = node;
    while (this.isOperator('|') || startInline) {
      if (!startInline) this.next();
      startInline = false;
      const line = this.current.line;
      let name = this.expectName().value;
      while (this.isOperator('.')) {
        this.next();
        name += '.' + this.expectName().value;
      }
      const args = this.isOperator('(') ? this.parseCallArgs() : { positional: [], keywords: [] };
      result = { kind: 'filter', target: result, name, args, line };
    }
    return result!;
  }

  private parseTest(node: Expr): Expr {
    const line = this.next().line;
    const negated = this.skipName('not');
    let name = this.expectName().value;
    while (this.isOperator('.')) {
      this.next();
      name += '.' + this.expectName().value;
    }
    let args: CallSyntax = { positional: [], keywords: [] };
    const token = this.current;
    if (this.isOperator('(')) args = this.parseCallArgs();
    else if (
      (['name', 'string', 'integer', 'float'].includes(token.type) || this.isOperator('[') || this.isOperator('{')) &&
      !['else', 'or', 'and'].some(word => this.isName(word))
    ) {
      if (this.isName('is')) this.fail('You cannot chain multiple tests with is');
      args = { positional: [this.parsePostfix(this.parsePrimary())], keywords: [] };
    }
    const test: Expr = { kind: 'test', target: node, name, args, line };
    return negated ? { kind: 'unary', operator: 'not', operand: test, line } : test;
  }
}
