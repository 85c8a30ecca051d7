// Evaluates a parsed template with Jinja2's semantics: scoping (loops scope their body, if
// does not), macros and call blocks, inheritance with super(), includes and imports, and the
// loop object. Every attribute access goes through `getAttribute`, which only ever sees Python
// values: no JavaScript object or prototype is reachable from a template.
import type { CallSyntax, Expr, MacroSignature, Stmt, Target } from './parser';
import {
  type CallArgs,
  PyCallable,
  PyFloat,
  PyMarkup,
  PyNamespace,
  PyObject,
  PyOpaque,
  PyUndefined,
  type PyValue,
  type PyKey,
  TemplateError,
  dictGet,
  isUndefined,
  pyIter,
  pyLen,
  pyStr,
  pyTruthy,
  pyTypeName,
  tuple,
  typeError,
  isTuple,
  PyIterator,
  hasLength,
  pyEquals,
  makeInt,
  toBigInt,
  isInt,
  PyRange,
  pyList,
  sliceBounds,
  sliceString,
  codePointAtIndex,
} from './pyValue';
import { binaryOperation, compare, concatenate, unaryOperation } from './operators';
import {
  MAX_CALL_DEPTH,
  MAX_ITEMS,
  MAX_OUTPUT,
  StringBuilder,
  itemsError,
  javaScriptLimitError,
  outputError,
  tick,
  withRenderBudget,
} from './limits';
import { getMethod } from './methods';
import { type Builtins, groupTuples } from './builtins';

export interface LoadedTemplate {
  name: string;
  file: string;
  body: Stmt[];
  blocks: Map<string, Extract<Stmt, { kind: 'block' }>>;
}

export interface TemplateHost {
  /** Loads a template by its Jinja2 name (relative to the search paths); throws TemplateError. */
  load(name: string): LoadedTemplate | undefined;
  builtins: Builtins;
}

/** Names Python code must not reach (SandboxedEnvironment) and JS names that matter in nunjucks. */
const UNSAFE_NAMES = new Set([
  'constructor',
  'prototype',
  '__proto__',
  '__defineGetter__',
  '__defineSetter__',
  '__lookupGetter__',
  '__lookupSetter__',
  'mro',
  'func_globals',
  'func_code',
  'gi_frame',
  'gi_code',
  'cr_frame',
  'cr_code',
  'f_globals',
  'f_locals',
  'f_builtins',
  'tb_frame',
  'ag_code',
  'ag_frame',
]);

export function isUnsafeName(name: string): boolean {
  return name.startsWith('_') || UNSAFE_NAMES.has(name);
}

export function securityError(name: string, owner: PyValue): TemplateError {
  return new TemplateError(
    'security',
    `access to attribute '${name}' of '${pyTypeName(owner)}' object is unsafe (blocked like Jinja2's SandboxedEnvironment)`,
  );
}

export class Scope {
  readonly vars = new Map<string, PyValue>();
  /**
   * A for loop's iteration scope once the loop has ended. Jinja2 gives the names of such a scope no
   * consistent value when a macro defined in the loop runs after it ('missing', or undefined), so
   * reading one is refused rather than rendered differently.
   */
  expired = false;
  constructor(readonly parent?: Scope) {}
  lookup(name: string): PyValue | undefined {
    const own = this.vars.get(name);
    if (own !== undefined && !this.expired) return own;
    for (let scope: Scope | undefined = own !== undefined ? this : this.parent; scope; scope = scope.parent) {
      const value = scope.vars.get(name);
      if (value === undefined) continue;
      if (scope.expired) {
        throw new TemplateError(
          'unsupported',
          `'${name}' belongs to a for loop that has ended: a macro defined inside a loop is called ` +
            `after it. Jinja2 gives such names no consistent value there ('missing' or undefined), so ` +
            `the preview renderer refuses it; call the macro inside the loop, or pass '${name}' as an ` +
            `argument`,
        );
      }
      return value;
    }
    return undefined;
  }
  /** Every visible variable, innermost winning: what an include sees. */
  flatten(): Map<string, PyValue> {
    const chain: Scope[] = [this];
    for (let scope = this.parent; scope; scope = scope.parent) chain.push(scope);
    const all = new Map<string, PyValue>();
    for (const scope of chain.reverse()) for (const [k, v] of scope.vars) all.set(k, v);
    return all;
  }
}

interface Output {
  /** What has been written, within the output's limit (MAX_OUTPUT or MAX_STRING). */
  text: StringBuilder;
  /** After {% extends %}, a child template's own top-level output is dropped. */
  discard: boolean;
}

/** Output that ends up in the render's output, or (MAX_STRING) in a string value. */
function newOutput(limit: 'output' | 'string'): Output {
  return {
    text: limit === 'output' ? new StringBuilder(MAX_OUTPUT, outputError) : new StringBuilder(),
    discard: false,
  };
}

/** State shared by one template render and its inheritance chain. */
interface RenderState {
  template: LoadedTemplate;
  root: Scope;
  blocks: Map<string, { block: Extract<Stmt, { kind: 'block' }>; template: LoadedTemplate }[]>;
  parent?: LoadedTemplate;
  /** Names a template exports to {% import %}: top-level sets and macros. */
  exported: Set<string>;
}

export class Macro extends PyObject {
  readonly typeName = 'Macro';
  get reprText(): string {
    return `<Macro ${this.name === 'caller' ? "'caller'" : `'${this.name}'`}>`;
  }
  constructor(
    readonly name: string,
    readonly signature: MacroSignature,
    readonly body: Stmt[],
    readonly closure: Scope,
    readonly state: RenderState,
    readonly usesCaller: boolean,
    readonly catchKwargs: boolean,
    readonly catchVarargs: boolean,
  ) {
    super();
  }
}

/**
 * The scope holding the builtin globals, shared by every render with the same builtins: templates
 * never assign into it (every render, include and import assigns into a child scope of it).
 */
const globalsScopes = new WeakMap<Builtins, Scope>();

function globalsScope(builtins: Builtins): Scope {
  let globals = globalsScopes.get(builtins);
  if (!globals) {
    globals = new Scope();
    for (const [name, value] of builtins.globals) globals.vars.set(name, value);
    globalsScopes.set(builtins, globals);
  }
  return globals;
}

export class Interpreter {
  private callDepth = 0;
  /** Line of the statement or expression being evaluated, for error reports. */
  line = 0;
  file = '';

  constructor(private readonly host: TemplateHost) {}

  builtinsFor(): Builtins {
    return this.host.builtins;
  }

  render(template: LoadedTemplate, context: Map<string, PyValue>): string {
    const globals = globalsScope(this.host.builtins);
    const root = new Scope(globals);
    for (const [name, value] of context) root.vars.set(name, value);
    return withRenderBudget(() => this.renderTemplate(template, root, 'output').text);
  }

  private renderTemplate(
    template: LoadedTemplate,
    root: Scope,
    limit: 'output' | 'string',
  ): { text: string; state: RenderState } {
    const state: RenderState = { template, root, blocks: new Map(), exported: new Set() };
    this.registerBlocks(state, template);
    const out = newOutput(limit);
    this.withFile(template, () => this.execute(template.body, root, out, state, true));
    // {% extends %}: what the child printed before it stays; the parent renders with the same
    // context and the combined block chain, and may itself extend another template.
    while (state.parent) {
      const parent = state.parent;
      state.parent = undefined;
      state.template = parent;
      out.discard = false;
      this.withFile(parent, () => this.execute(parent.body, root, out, state, true));
    }
    return { text: out.text.toString(), state };
  }

  private withFile<T>(template: LoadedTemplate, action: () => T): T {
    const previous = this.file;
    this.file = template.file;
    try {
      return action();
    } catch (caught) {
      const error = caught instanceof TemplateError ? caught : (javaScriptLimitError(caught) ?? caught);
      if (error instanceof TemplateError && error.file === undefined) {
        error.file = template.file;
        error.line ??= this.line;
      }
      throw error;
    } finally {
      this.file = previous;
    }
  }

  private registerBlocks(state: RenderState, template: LoadedTemplate): void {
    for (const [name, block] of template.blocks) {
      const chain = state.blocks.get(name) ?? [];
      chain.push({ block, template });
      state.blocks.set(name, chain);
    }
  }

  // --- statements ----------------------------------------------------------------------------

  private execute(body: Stmt[], scope: Scope, out: Output, state: RenderState, topLevel = false): void {
    for (const stmt of body) {
      this.line = stmt.line;
      this.executeOne(stmt, scope, out, state, topLevel);
    }
  }

  private emit(out: Output, text: string): void {
    if (!out.discard) out.text.push(text);
  }

  private executeOne(stmt: Stmt, scope: Scope, out: Output, state: RenderState, topLevel: boolean): void {
    switch (stmt.kind) {
      case 'output':
        for (const node of stmt.nodes) {
          if (typeof node === 'string') this.emit(out, node);
          else {
            this.line = node.line;
            const value = this.evaluate(node, scope, state);
            if (!out.discard) out.text.push(pyStr(value));
          }
        }
        return;
      case 'if':
        this.execute(
          pyTruthy(this.evaluate(stmt.test, scope, state)) ? stmt.body : stmt.orelse,
          scope,
          out,
          state,
          topLevel,
        );
        return;
      case 'for':
        this.executeFor(stmt, scope, out, state);
        return;
      case 'set': {
        const value = this.evaluate(stmt.value, scope, state);
        this.assign(stmt.target, value, scope, state, topLevel);
        return;
      }
      case 'setblock': {
        const captured = newOutput('string');
        this.execute(stmt.body, new Scope(scope), captured, state);
        let value: PyValue = captured.text.toString();
        if (stmt.filter) value = this.applyFilterChain(stmt.filter, value, scope, state);
        this.assign(stmt.target, value, scope, state, topLevel);
        return;
      }
      case 'macro': {
        scope.vars.set(stmt.name, this.makeMacro(stmt.name, stmt.signature, stmt.body, scope, state));
        if (topLevel) state.exported.add(stmt.name);
        return;
      }
      case 'callblock': {
        const caller = this.makeMacro('caller', stmt.signature, stmt.body, scope, state);
        const call = stmt.call as Extract<Expr, { kind: 'call' }>;
        const callee = this.evaluate(call.callee, scope, state);
        const args = this.evaluateArgs(call.args, scope, state);
        args.keywords.set('caller', caller);
        this.emit(out, pyStr(this.call(callee, args)));
        return;
      }
      case 'filterblock': {
        const captured = newOutput('string');
        this.execute(stmt.body, scope, captured, state);
        this.emit(out, pyStr(this.applyFilterChain(stmt.filter, captured.text.toString(), scope, state)));
        return;
      }
      case 'block':
        if (state.parent && topLevel) return; // a child's blocks render where the parent places them
        this.emit(
          out,
          this.renderBlock(
            stmt.name,
            0,
            stmt.scoped ? scope : state.root,
            state,
            out.text.limit === MAX_OUTPUT ? 'output' : 'string',
          ),
        );
        return;
      case 'extends': {
        if (state.parent) throw new TemplateError('runtime', 'extended multiple times');
        const name = this.evaluate(stmt.template, scope, state);
        const parent = this.loadTemplate(name, false);
        if (!parent) return;
        state.parent = parent;
        this.registerBlocks(state, parent);
        out.discard = true;
        return;
      }
      case 'include': {
        const names = this.evaluate(stmt.template, scope, state);
        const template = this.loadTemplate(names, stmt.ignoreMissing);
        if (!template) return;
        const root = new Scope(state.root.parent);
        // Jinja2 passes the including scope's variables, except the loop object.
        if (stmt.withContext) for (const [k, v] of scope.flatten()) if (k !== 'loop') root.vars.set(k, v);
        this.emit(
          out,
          this.nested(
            () => this.renderTemplate(template, root, out.text.limit === MAX_OUTPUT ? 'output' : 'string').text,
          ),
        );
        return;
      }
      case 'import': {
        const module = this.importModule(
          this.evaluate(stmt.template, scope, state),
          stmt.withContext ? scope : undefined,
          state,
        );
        scope.vars.set(stmt.alias, module);
        if (topLevel) state.exported.add(stmt.alias);
        return;
      }
      case 'fromimport': {
        const templateName = this.evaluate(stmt.template, scope, state);
        const module = this.importModule(templateName, stmt.withContext ? scope : undefined, state);
        for (const [name, alias] of stmt.names) {
          const value = module.attributes(name);
          scope.vars.set(
            alias,
            value ??
              new PyUndefined(
                alias,
                undefined,
                `the template ${pyStrRepr(pyStr(templateName))} (imported on line ${stmt.line} in ` +
                  `${pyStrRepr(state.template.name)}) does not export the requested name ${pyStrRepr(name)}`,
              ),
          );
          if (topLevel) state.exported.add(alias);
        }
        return;
      }
      case 'with': {
        const inner = new Scope(scope);
        // Jinja2 evaluates all values in the outer scope, then binds them.
        const values = stmt.values.map(value => this.evaluate(value, scope, state));
        stmt.targets.forEach((target, i) => this.assign(target, values[i]!, inner, state, false));
        this.execute(stmt.body, inner, out, state);
        return;
      }
      case 'autoescape': {
        if (pyTruthy(this.evaluate(stmt.value, scope, state))) {
          throw new TemplateError(
            'unsupported',
            "{% autoescape true %} is not supported by the preview renderer (it renders with autoescape off, like Jinja2's default Environment)",
          );
        }
        this.execute(stmt.body, scope, out, state, topLevel);
        return;
      }
    }
  }

  private nested<T>(action: () => T): T {
    tick();
    if (++this.callDepth > MAX_CALL_DEPTH) {
      this.callDepth = 0;
      throw new TemplateError(
        'runtime',
        `maximum recursion depth exceeded: more than ${MAX_CALL_DEPTH} nested macro calls, ` +
          `includes or imports (a macro or include that calls itself without end?)`,
      );
    }
    try {
      return action();
    } finally {
      this.callDepth = Math.max(0, this.callDepth - 1);
    }
  }

  private loadTemplate(nameValue: PyValue, ignoreMissing: boolean): LoadedTemplate | undefined {
    // Jinja2 accepts a list of names and uses the first that exists.
    const names = Array.isArray(nameValue) ? nameValue : [nameValue];
    for (const candidate of names) {
      if (isUndefined(candidate)) candidate.fail();
      if (typeof candidate !== 'string')
        throw typeError(`template name must be a string, not ${pyTypeName(candidate)}`);
      const template = this.host.load(candidate);
      if (template) return template;
    }
    if (ignoreMissing) return undefined;
    const shown = names.map(n => pyStr(n));
    throw new TemplateError(
      'runtime',
      names.length > 1
        ? `TemplatesNotFound: none of the templates given were found: ${shown.join(', ')}`
        : `TemplateNotFound: ${shown[0]}`,
    );
  }

  private importModule(nameValue: PyValue, context: Scope | undefined, state: RenderState): PyOpaque {
    const template = this.loadTemplate(nameValue, false)!;
    const root = new Scope(state.root.parent);
    if (context) for (const [k, v] of context.flatten()) root.vars.set(k, v);
    const { state: moduleState } = this.nested(() => this.renderTemplate(template, root, 'string'));
    const exported = new Map<string, PyValue>();
    for (const name of moduleState.exported) {
      if (!name.startsWith('_')) exported.set(name, root.vars.get(name) ?? null);
    }
    return new PyOpaque('TemplateModule', undefined, name => exported.get(name));
  }

  private renderBlock(
    name: string,
    depth: number,
    scope: Scope,
    state: RenderState,
    limit: 'output' | 'string' = 'string',
  ): string {
    const chain = state.blocks.get(name);
    const entry = chain?.[depth];
    if (!entry) throw new TemplateError('runtime', `no block named '${name}'`);
    if (entry.block.required) throw new TemplateError('runtime', `Required block '${name}' not found`);
    const blockScope = new Scope(scope);
    blockScope.vars.set(
      'super',
      new PyCallable('super', () => {
        if (!chain![depth + 1]) throw new TemplateError('runtime', `no parent block called '${name}'`);
        return this.renderBlock(name, depth + 1, scope, state);
      }),
    );
    const out = newOutput(limit);
    this.withFile(entry.template, () => this.execute(entry.block.body, blockScope, out, state));
    return out.text.toString();
  }

  private assign(target: Target, value: PyValue, scope: Scope, state: RenderState, topLevel: boolean): void {
    switch (target.kind) {
      case 'name':
        scope.vars.set(target.name, value);
        if (topLevel) state.exported.add(target.name);
        return;
      case 'nsref': {
        const namespace = scope.lookup(target.name);
        if (!(namespace instanceof PyNamespace))
          throw new TemplateError('runtime', 'cannot assign attribute on non-namespace object');
        namespace.attributes.set(target.attribute, value);
        return;
      }
      case 'tuple': {
        const values = unpack(value, target.items.length);
        target.items.forEach((item, i) => this.assign(item, values[i]!, scope, state, topLevel));
      }
    }
  }

  private executeFor(stmt: Extract<Stmt, { kind: 'for' }>, scope: Scope, out: Output, state: RenderState): void {
    const iterable = this.evaluate(stmt.iter, scope, state);
    if (!this.runLoop(stmt, iterable, scope, state, 0, out)) this.execute(stmt.orelse, scope, out, state);
  }

  /** Runs a for loop, writing to `out`; false when it did not iterate (for else). */
  private runLoop(
    stmt: Extract<Stmt, { kind: 'for' }>,
    iterable: PyValue,
    scope: Scope,
    state: RenderState,
    depth: number,
    out: Output,
  ): boolean {
    let source: Iterable<PyValue> = pyIter(iterable);
    if (stmt.filter) {
      const filter = stmt.filter;
      const unfiltered = source;
      source = (function* (self: Interpreter) {
        for (const item of unfiltered) {
          const probe = new Scope(scope);
          self.assign(stmt.target, item, probe, state, false);
          if (pyTruthy(self.evaluate(filter, probe, state))) yield item;
        }
      })(this);
    }
    const knownLength = !stmt.filter && hasLength(iterable) ? pyLen(iterable) : undefined;
    const loop = new LoopState(source, knownLength, depth);
    if (!loop.hasNext()) return false;
    const loopObject = this.makeLoopObject(loop, stmt, scope, state);
    // Each iteration starts from an empty scope. When nothing in the body can keep a reference to
    // that scope past its iteration (a macro, a caller, a block's super, a nested loop's filter or
    // recursion), one scope is emptied and reused instead of allocating a new one per item.
    const reuse = !loopBodyCapturesScope(stmt);
    let inner: Scope | undefined;
    const captured: Scope[] = [];
    while (loop.hasNext()) {
      tick();
      const item = loop.advance();
      if (inner && reuse) inner.vars.clear();
      else {
        inner = new Scope(scope);
        if (!reuse) captured.push(inner);
      }
      inner.vars.set('loop', loopObject);
      this.assign(stmt.target, item, inner, state, false);
      this.execute(stmt.body, inner, out, state);
    }
    for (const s of captured) s.expired = true;
    return true;
  }

  private makeLoopObject(
    loop: LoopState,
    stmt: Extract<Stmt, { kind: 'for' }>,
    scope: Scope,
    state: RenderState,
  ): PyOpaque {
    // The callables are made on first use: most loops never touch them.
    let cycle: PyCallable | undefined, changed: PyCallable | undefined;
    let lastChanged: PyValue[] | undefined;
    const attributes = (name: string): PyValue | undefined => {
      switch (name) {
        case 'index':
          return loop.index0 + 1;
        case 'index0':
          return loop.index0;
        case 'length':
          return loop.length();
        case 'revindex':
          return loop.length() - loop.index0;
        case 'revindex0':
          return loop.length() - loop.index0 - 1;
        case 'first':
          return loop.index0 === 0;
        case 'last':
          return !loop.hasNext();
        case 'depth':
          return loop.depth0 + 1;
        case 'depth0':
          return loop.depth0;
        case 'previtem':
          return loop.index0 > 0 ? loop.previous : new PyUndefined('previtem', undefined, 'there is no previous item');
        case 'nextitem':
          return loop.hasNext() ? loop.peek() : new PyUndefined('nextitem', undefined, 'there is no next item');
        case 'cycle':
          return (cycle ??= new PyCallable('cycle', ({ positional }) => {
            if (!positional.length) throw typeError('no items for cycling given');
            return positional[loop.index0 % positional.length]!;
          }));
        case 'changed':
          return (changed ??= new PyCallable('changed', ({ positional }) => {
            if (
              lastChanged &&
              positional.length === lastChanged.length &&
              positional.every((v, i) => pyEquals(v, lastChanged![i]!))
            )
              return false;
            lastChanged = positional;
            return true;
          }));
      }
      return undefined;
    };
    return new LoopContext(
      attributes,
      () => `<LoopContext ${loop.index0 + 1}/${loop.length()}>`,
      () =>
        new PyCallable('loop', ({ positional }) => {
          if (!stmt.recursive) throw typeError("The loop must be marked 'recursive' to be called recursively.");
          const out = newOutput('string');
          this.nested(() => this.runLoop(stmt, positional[0] ?? null, scope, state, loop.depth0 + 1, out));
          return out.text.toString();
        }),
    );
  }

  private makeMacro(name: string, signature: MacroSignature, body: Stmt[], closure: Scope, state: RenderState): Macro {
    const mentions = mentionedNames(body);
    return new Macro(
      name,
      signature,
      body,
      closure,
      state,
      mentions.has('caller'),
      mentions.has('kwargs'),
      mentions.has('varargs'),
    );
  }

  private callMacro(macro: Macro, args: CallArgs): PyValue {
    const scope = new Scope(macro.closure);
    const { params, defaults } = macro.signature;
    const { positional, keywords } = args;
    if (positional.length > params.length && !macro.catchVarargs) {
      throw typeError(`macro '${macro.name}' takes not more than ${params.length} argument(s)`);
    }
    const remaining = new Map(keywords);
    return this.nested(() => {
      params.forEach((param, i) => {
        if (i < positional.length) {
          if (remaining.has(param))
            throw typeError(`macro '${macro.name}' got multiple values for argument '${param}'`);
          scope.vars.set(param, positional[i]!);
        } else if (remaining.has(param)) {
          scope.vars.set(param, remaining.get(param)!);
          remaining.delete(param);
        } else {
          const fallback = defaults[i];
          scope.vars.set(
            param,
            fallback
              ? this.evaluate(fallback, scope, macro.state)
              : new PyUndefined(param, undefined, `parameter '${param}' was not provided`),
          );
        }
      });
      if (macro.usesCaller) {
        scope.vars.set('caller', remaining.get('caller') ?? new PyUndefined('caller', undefined, 'No caller defined'));
        remaining.delete('caller');
      }
      if (macro.catchVarargs) scope.vars.set('varargs', tuple(positional.slice(params.length)));
      if (macro.catchKwargs) {
        const kwargs = new Map<PyKey, PyValue>();
        for (const [k, v] of remaining) kwargs.set(k, v);
        scope.vars.set('kwargs', kwargs);
      } else if (remaining.size) {
        const [first] = remaining.keys();
        throw typeError(`macro '${macro.name}' takes no keyword argument '${first}'`);
      }
      const out = newOutput('string');
      const previousLine = this.line;
      this.execute(macro.body, scope, out, macro.state);
      this.line = previousLine;
      return out.text.toString();
    });
  }

  // --- expressions ---------------------------------------------------------------------------

  evaluate(expr: Expr, scope: Scope, state: RenderState): PyValue {
    switch (expr.kind) {
      case 'const':
        return expr.isFloat ? new PyFloat(expr.value as number) : expr.value;
      case 'name': {
        const value = scope.lookup(expr.name);
        if (value !== undefined) return value;
        if (expr.name === 'self') return this.selfReference(state, scope);
        return new PyUndefined(expr.name);
      }
      case 'tuple':
        return tuple(expr.items.map(item => this.evaluate(item, scope, state)));
      case 'list':
        return expr.items.map(item => this.evaluate(item, scope, state));
      case 'dict': {
        const dict = new Map<PyKey, PyValue>();
        for (const [key, value] of expr.items)
          dict.set(dictKeyOf(this.evaluate(key, scope, state)), this.evaluate(value, scope, state));
        return dict;
      }
      case 'getattr':
        return this.getAttribute(this.evaluate(expr.target, scope, state), expr.name);
      case 'getitem': {
        const target = this.evaluate(expr.target, scope, state);
        if (expr.index.kind === 'slice') return this.slice(target, expr.index, scope, state);
        return this.getItem(target, this.evaluate(expr.index, scope, state));
      }
      case 'slice':
        throw new TemplateError('syntax', 'a slice is only valid inside []');
      case 'call': {
        const callee = this.evaluate(expr.callee, scope, state);
        const args = this.evaluateArgs(expr.args, scope, state);
        this.line = expr.line;
        return this.call(callee, args);
      }
      case 'filter': {
        const value = expr.target ? this.evaluate(expr.target, scope, state) : null;
        return this.applyFilter(expr, value, scope, state);
      }
      case 'test': {
        const value = this.evaluate(expr.target, scope, state);
        const test = this.host.builtins.tests.get(expr.name);
        this.line = expr.line;
        if (!test) throw new TemplateError('syntax', `No test named '${expr.name}'.`);
        return test(value, this.evaluateArgs(expr.args, scope, state), this);
      }
      case 'binary':
        return binaryOperation(
          expr.operator,
          this.evaluate(expr.left, scope, state),
          this.evaluate(expr.right, scope, state),
        );
      case 'unary': {
        const operand = this.evaluate(expr.operand, scope, state);
        if (expr.operator === 'not') return !pyTruthy(operand);
        return unaryOperation(expr.operator, operand);
      }
      case 'and': {
        const left = this.evaluate(expr.left, scope, state);
        return pyTruthy(left) ? this.evaluate(expr.right, scope, state) : left;
      }
      case 'or': {
        const left = this.evaluate(expr.left, scope, state);
        return pyTruthy(left) ? left : this.evaluate(expr.right, scope, state);
      }
      case 'compare': {
        let left = this.evaluate(expr.first, scope, state);
        for (const { operator, operand } of expr.ops) {
          const right = this.evaluate(operand, scope, state);
          if (!compare(operator, left, right)) return false;
          left = right;
        }
        return true;
      }
      case 'concat': {
        let text = '';
        for (const part of expr.parts) text = concatenate(text, pyStr(this.evaluate(part, scope, state)));
        return text;
      }
      case 'condexpr': {
        if (pyTruthy(this.evaluate(expr.test, scope, state))) return this.evaluate(expr.body, scope, state);
        if (expr.orelse) return this.evaluate(expr.orelse, scope, state);
        return new PyUndefined(
          '',
          undefined,
          'the inline if-expression on line ' + expr.line + ' evaluated to false and no else section was defined.',
        );
      }
    }
  }

  private selfReference(state: RenderState, scope: Scope): PyValue {
    return new PyOpaque('TemplateReference', undefined, name => {
      if (!state.blocks.has(name)) return undefined;
      return new PyCallable(name, () => this.renderBlock(name, 0, state.root ?? scope, state));
    });
  }

  evaluateArgs(syntax: CallSyntax, scope: Scope, state: RenderState): CallArgs {
    const positional = syntax.positional.map(arg => this.evaluate(arg, scope, state));
    const keywords = new Map<string, PyValue>();
    for (const [name, value] of syntax.keywords) keywords.set(name, this.evaluate(value, scope, state));
    if (syntax.starArgs) for (const item of pyList(this.evaluate(syntax.starArgs, scope, state))) positional.push(item);
    if (syntax.starKwargs) {
      const extra = this.evaluate(syntax.starKwargs, scope, state);
      if (!(extra instanceof Map)) throw typeError(`argument after ** must be a mapping, not ${pyTypeName(extra)}`);
      for (const [k, v] of extra) keywords.set(String(k), v);
    }
    return { positional, keywords };
  }

  private applyFilter(
    expr: Extract<Expr, { kind: 'filter' }>,
    value: PyValue,
    scope: Scope,
    state: RenderState,
  ): PyValue {
    const filter = this.host.builtins.filters.get(expr.name);
    if (!filter) throw new TemplateError('syntax', `No filter named '${expr.name}'.`, expr.line);
    const args = this.evaluateArgs(expr.args, scope, state);
    this.line = expr.line;
    return filter(value, args, this);
  }

  /** Applies the filter chain of {% filter %} / {% set x | f %} to a captured body. */
  private applyFilterChain(chain: Expr, value: PyValue, scope: Scope, state: RenderState): PyValue {
    if (chain.kind !== 'filter') throw new Error('filter chain expected');
    const input = chain.target ? this.applyFilterChain(chain.target, value, scope, state) : value;
    return this.applyFilter(chain, input, scope, state);
  }

  call(callee: PyValue, args: CallArgs): PyValue {
    if (callee instanceof Macro) return this.callMacro(callee, args);
    if (callee instanceof PyCallable) return callee.invoke(args);
    if (callee instanceof PyUndefined) callee.fail();
    const loopCallable = (callee as unknown as { callable?: PyCallable } | null)?.callable;
    if (callee instanceof PyOpaque && loopCallable instanceof PyCallable) return loopCallable.invoke(args);
    throw typeError(`'${pyTypeName(callee)}' object is not callable`);
  }

  /** `obj.name`: Python attribute first (methods), then item; Undefined when neither exists. */
  getAttribute(owner: PyValue, name: string): PyValue {
    if (owner instanceof PyUndefined) owner.fail();
    if (owner instanceof Map) {
      const method = getMethod(owner, name, this);
      if (method) return method;
      const item = dictGet(owner, name);
      if (item !== undefined) return item;
    } else {
      const attribute = this.pythonAttribute(owner, name);
      if (attribute !== undefined) return attribute;
    }
    if (isUnsafeName(name)) throw securityError(name, owner);
    return new PyUndefined(name, { value: owner });
  }

  /** `obj[key]`: item first, then (for string keys) attribute. */
  getItem(owner: PyValue, key: PyValue): PyValue {
    if (owner instanceof PyUndefined) owner.fail();
    const item = itemOf(owner, key);
    if (item !== undefined) return item;
    if (typeof key === 'string') {
      const attribute = owner instanceof Map ? getMethod(owner, key, this) : this.pythonAttribute(owner, key);
      if (attribute !== undefined) return attribute;
      if (isUnsafeName(key)) throw securityError(key, owner);
    }
    return new PyUndefined(key, { value: owner });
  }

  private pythonAttribute(owner: PyValue, name: string): PyValue | undefined {
    if (owner instanceof PyNamespace) return owner.attributes.get(name);
    if (owner instanceof PyOpaque) return owner.attributes(name);
    if (owner instanceof Macro) {
      switch (name) {
        case 'name':
          return owner.name;
        case 'arguments':
          return tuple([...owner.signature.params]);
        case 'catch_kwargs':
          return owner.catchKwargs;
        case 'catch_varargs':
          return owner.catchVarargs;
        case 'caller':
          return owner.usesCaller;
      }
      return undefined;
    }
    if (Array.isArray(owner) && groupTuples.has(owner)) {
      if (name === 'grouper') return owner[0];
      if (name === 'list') return owner[1];
    }
    if (owner instanceof PyFloat || isInt(owner)) {
      if (name === 'real') return owner;
      if (name === 'imag') return owner instanceof PyFloat ? new PyFloat(0) : 0;
    }
    return getMethod(owner, name, this);
  }

  private slice(target: PyValue, slice: Extract<Expr, { kind: 'slice' }>, scope: Scope, state: RenderState): PyValue {
    const bound = (expr: Expr | undefined): number | null => {
      if (!expr) return null;
      const value = this.evaluate(expr, scope, state);
      if (value === null) return null;
      if (!isInt(value)) throw typeError('slice indices must be integers or None or have an __index__ method');
      return Number(value);
    };
    return sliceValue(target, bound(slice.start), bound(slice.stop), bound(slice.step));
  }
}

/** Jinja2's loop object; calling it (`loop(children)`) recurses in a recursive for. */
class LoopContext extends PyOpaque {
  private recurse: PyCallable | undefined;
  constructor(
    attributes: (name: string) => PyValue | undefined,
    repr: () => string,
    private readonly makeRecurse: () => PyCallable,
  ) {
    super('LoopContext', repr, attributes);
  }
  /** Read by Interpreter.call (not an attribute: templates only reach `attributes`). */
  get callable(): PyCallable {
    return (this.recurse ??= this.makeRecurse());
  }
}

/**
 * Whether something in a for loop's body can hold on to the iteration's scope after the
 * iteration: a macro or call block (its closure), a block (its super()), or a nested loop whose
 * loop object can run later against it (a recursive or filtered loop).
 */
const capturesScopeCache = new WeakMap<Stmt, boolean>();

function loopBodyCapturesScope(stmt: Extract<Stmt, { kind: 'for' }>): boolean {
  const cached = capturesScopeCache.get(stmt);
  if (cached !== undefined) return cached;
  const visit = (statements: Stmt[]): boolean =>
    statements.some(inner => {
      switch (inner.kind) {
        case 'macro':
        case 'callblock':
        case 'block':
          return true;
        case 'for':
          return inner.recursive || inner.filter !== undefined || visit(inner.body) || visit(inner.orelse);
        case 'if':
          return visit(inner.body) || visit(inner.orelse);
        case 'setblock':
        case 'filterblock':
        case 'with':
        case 'autoescape':
          return visit(inner.body);
        default:
          return false;
      }
    });
  const captures = visit(stmt.body);
  capturesScopeCache.set(stmt, captures);
  return captures;
}

/** Jinja2 keeps sequences of one-pass items (the loop's lookahead and optional length). */
class LoopState {
  index0 = -1;
  previous: PyValue = null;
  private readonly iterator: Iterator<PyValue>;
  private buffered: PyValue[] = [];
  private exhausted = false;
  private current: PyValue = null;

  constructor(
    source: Iterable<PyValue>,
    private readonly knownLength: number | undefined,
    readonly depth0: number,
  ) {
    this.iterator = source[Symbol.iterator]();
  }
  private fill(count: number): void {
    while (!this.exhausted && this.buffered.length < count) {
      const next = this.iterator.next();
      if (next.done) this.exhausted = true;
      else {
        // loop.length of a one-pass iterable: Jinja2 makes a list of it, so the list limit holds.
        if (this.buffered.length >= MAX_ITEMS) throw itemsError();
        this.buffered.push(next.value);
      }
    }
  }
  hasNext(): boolean {
    this.fill(1);
    return this.buffered.length > 0;
  }
  peek(): PyValue {
    this.fill(1);
    return this.buffered[0]!;
  }
  advance(): PyValue {
    this.fill(1);
    if (this.index0 >= 0) this.previous = this.current;
    this.current = this.buffered.shift()!;
    this.index0++;
    return this.current;
  }
  length(): number {
    if (this.knownLength !== undefined) return this.knownLength;
    this.fill(Infinity);
    return this.index0 + 1 + this.buffered.length;
  }
}

function pyStrRepr(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function dictKeyOf(key: PyValue): PyKey {
  if (key instanceof PyFloat) return Number.isInteger(key.value) ? key.value : key;
  if (Array.isArray(key) && !isTuple(key)) throw typeError("unhashable type: 'list'");
  if (key instanceof Map) throw typeError("unhashable type: 'dict'");
  return key;
}

export function unpack(value: PyValue, count: number): PyValue[] {
  if (
    value === null ||
    typeof value === 'number' ||
    typeof value === 'boolean' ||
    typeof value === 'bigint' ||
    value instanceof PyFloat
  ) {
    throw typeError(`cannot unpack non-iterable ${pyTypeName(value)} object`);
  }
  const items = pyList(value);
  if (items.length > count)
    throw new TemplateError('runtime', `ValueError: too many values to unpack (expected ${count})`);
  if (items.length < count)
    throw new TemplateError(
      'runtime',
      `ValueError: not enough values to unpack (expected ${count}, got ${items.length})`,
    );
  return items;
}

/** Python indexing: negative indexes, dict keys, string characters. */
export function itemOf(owner: PyValue, key: PyValue): PyValue | undefined {
  if (owner instanceof Map) return dictGet(owner, key);
  if (!isInt(key)) return undefined;
  if (typeof owner === 'string' || owner instanceof PyMarkup) {
    if (typeof key === 'bigint') return undefined; // beyond any string's length: IndexError
    return codePointAtIndex(typeof owner === 'string' ? owner : owner.text, Number(key));
  }
  if (Array.isArray(owner) || owner instanceof PyRange) {
    if (typeof key === 'bigint') return undefined;
    let index = Number(key);
    if (index < 0) index += owner.length;
    if (index < 0 || index >= owner.length) return undefined;
    return Array.isArray(owner) ? owner[index]! : owner.at(index);
  }
  if (owner instanceof PyNamespace || owner instanceof PyIterator) return undefined;
  if (owner instanceof PyObject && 'length' in owner && typeof (owner as { length: unknown }).length === 'number') {
    const list = pyList(owner);
    let index = Number(key);
    if (index < 0) index += list.length;
    return list[index];
  }
  return undefined;
}

export function sliceValue(target: PyValue, start: number | null, stop: number | null, step: number | null): PyValue {
  if (target instanceof PyUndefined) target.fail();
  const stepValue = step ?? 1;
  if (stepValue === 0) throw new TemplateError('runtime', 'ValueError: slice step cannot be zero');
  if (typeof target === 'string') return sliceString(target, start, stop, stepValue);
  if (target instanceof PyMarkup) return new PyMarkup(sliceString(target.text, start, stop, stepValue));
  const items = Array.isArray(target) || target instanceof PyRange ? target : pyList(target);
  const [from, to] = sliceBounds(items.length, start, stop, stepValue);
  if (items instanceof PyRange) {
    // A slice of a range is a range (CPython's compute_slice).
    const first = toBigInt(items.start),
      itemStep = toBigInt(items.step);
    return new PyRange(first + BigInt(from) * itemStep, first + BigInt(to) * itemStep, itemStep * BigInt(stepValue));
  }
  const result: PyValue[] = [];
  if (stepValue === 1)
    return isTuple(target) ? tuple(items.slice(from, Math.max(from, to))) : items.slice(from, Math.max(from, to));
  if (stepValue > 0) for (let i = from; i < to; i += stepValue) result.push(items[i]!);
  else for (let i = from; i > to; i += stepValue) result.push(items[i]!);
  return isTuple(target) ? tuple(result) : result;
}

/** Names a body refers to (Jinja2 gives a macro caller/varargs/kwargs only when it uses them). */
const mentionedNamesCache = new WeakMap<Stmt[], Set<string>>();

function mentionedNames(body: Stmt[]): Set<string> {
  const cached = mentionedNamesCache.get(body);
  if (cached) return cached;
  const names = new Set<string>();
  const visit = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    const record = node as Record<string, unknown>;
    if (record.kind === 'name' && typeof record.name === 'string' && !('attribute' in record)) names.add(record.name);
    if (record.kind === 'macro') return; // a nested macro's own caller is its own
    for (const value of Object.values(record)) if (value && typeof value === 'object') visit(value);
  };
  visit(body);
  mentionedNamesCache.set(body, names);
  return names;
}

export { makeInt, toBigInt };
