import ts from 'typescript';

/**
 * A statement whose promise nobody awaits is invisible on SQLite (the port's promise has
 * already run its statement when it is returned) and a bug on PostgreSQL (the statement
 * runs later, outside the order the code reads in, perhaps after COMMIT). This finds, with
 * the type checker, the three ways a promise gets lost:
 *
 * - `floating`: an expression statement whose value is a promise (or an array of them),
 *   neither awaited, returned, voided, assigned, nor given a rejection handler;
 * - `condition`: a promise where a truth value is read (`if`, `while`, `?:`, `!`, `&&`,
 *   `||`, `??`): always truthy, so the awaited value was meant;
 * - `callback`: a function returning a promise passed (or assigned in an object literal)
 *   where the expected function's return type has no room for one (`void`, `unknown`,
 *   `boolean`: `forEach(x => ctx.run(...))`, `filter(x => q.get(...))`): the caller drops
 *   the promise, or reads it as a (truthy) value;
 * - `expect`: a promise given to jest's `expect(...)` without `.resolves` / `.rejects`: the
 *   assertion compares the promise object, not what it resolves to.
 *
 * The same checks as typescript-eslint's no-floating-promises and no-misused-promises, kept
 * here so that `npm test` runs them without a type-aware lint pass over the whole workspace.
 */
export interface FloatingPromise {
  kind: 'floating' | 'condition' | 'callback' | 'expect';
  file: string;
  line: number;
  text: string;
}

export function findFloatingPromises(program: ts.Program, include: (fileName: string) => boolean): FloatingPromise[] {
  const checker = program.getTypeChecker();
  const found: FloatingPromise[] = [];
  for (const source of program.getSourceFiles()) {
    if (source.isDeclarationFile || !include(source.fileName)) continue;
    const report = (kind: FloatingPromise['kind'], node: ts.Node): void => {
      const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
      found.push({ kind, file: source.fileName, line: line + 1, text: node.getText(source).split('\n')[0]!.slice(0, 120) });
    };
    const visit = (node: ts.Node): void => {
      if (ts.isExpressionStatement(node) && isFloating(checker, node.expression)) report('floating', node);
      for (const condition of conditionsOf(node)) {
        if (isAlwaysThenable(checker, checker.getTypeAtLocation(condition))) report('condition', condition);
      }
      if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
        const predicate = isPredicateCall(node);
        // `finally` waits for a promise its callback returns, whatever its typings say.
        if (!isMethodCall(node, 'finally')) {
          for (const arg of node.arguments ?? []) if (returnsPromiseWhereNoneExpected(checker, arg, predicate)) report('callback', arg);
        }
      }
      if (isBareExpect(checker, node)) report('expect', node);
      if (ts.isPropertyAssignment(node) && returnsPromiseWhereNoneExpected(checker, node.initializer, false)) report('callback', node);
      if (ts.isMethodDeclaration(node) && ts.isObjectLiteralExpression(node.parent) && returnsPromiseWhereNoneExpected(checker, node, false)) report('callback', node);
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}

/** `expect(promise).toX(...)`: the matcher would see the promise itself. */
function isBareExpect(checker: ts.TypeChecker, node: ts.Node): boolean {
  if (!ts.isCallExpression(node) || !ts.isIdentifier(node.expression) || node.expression.text !== 'expect' || node.arguments.length !== 1) return false;
  const parent = node.parent;
  if (ts.isPropertyAccessExpression(parent) && (parent.name.text === 'resolves' || parent.name.text === 'rejects')) return false;
  return isAlwaysThenable(checker, checker.getTypeAtLocation(node.arguments[0]!));
}

function isFloating(checker: ts.TypeChecker, expression: ts.Expression): boolean {
  const e = skipParens(expression);
  if (ts.isVoidExpression(e) || ts.isAwaitExpression(e)) return false;
  if (ts.isBinaryExpression(e) && isAssignment(e.operatorToken.kind)) return false;
  if (ts.isCallExpression(e) && handlesRejection(e)) return false;
  const type = checker.getTypeAtLocation(e);
  return containsThenable(checker, type) || isArrayOfThenables(checker, type);
}

/** `.catch(h)` and `.then(f, h)` take care of the rejection themselves. */
function handlesRejection(call: ts.CallExpression): boolean {
  if (!ts.isPropertyAccessExpression(call.expression)) return false;
  const name = call.expression.name.text;
  return (name === 'catch' && call.arguments.length >= 1) || (name === 'then' && call.arguments.length >= 2);
}

function conditionsOf(node: ts.Node): ts.Expression[] {
  if (ts.isIfStatement(node) || ts.isWhileStatement(node) || ts.isDoStatement(node)) return [node.expression];
  if (ts.isForStatement(node)) return node.condition ? [node.condition] : [];
  if (ts.isConditionalExpression(node)) return [node.condition];
  if (ts.isPrefixUnaryExpression(node) && node.operator === ts.SyntaxKind.ExclamationToken) return [node.operand];
  if (ts.isBinaryExpression(node)) {
    const op = node.operatorToken.kind;
    if (op === ts.SyntaxKind.AmpersandAmpersandToken || op === ts.SyntaxKind.BarBarToken || op === ts.SyntaxKind.QuestionQuestionToken) return [node.left];
  }
  return [];
}

/** Array methods whose callback's value is read as a truth value, though typed `unknown`. */
const PREDICATE_METHODS = new Set(['filter', 'some', 'every', 'find', 'findIndex', 'findLast', 'findLastIndex']);

function isMethodCall(call: ts.CallExpression | ts.NewExpression, name: string): boolean {
  return ts.isCallExpression(call) && ts.isPropertyAccessExpression(call.expression) && call.expression.name.text === name;
}

function isPredicateCall(call: ts.CallExpression | ts.NewExpression): boolean {
  return ts.isCallExpression(call) && ts.isPropertyAccessExpression(call.expression) && PREDICATE_METHODS.has(call.expression.name.text);
}

/**
 * A function-valued argument or property whose contextual type returns no promise (every
 * signature: `void`, `boolean`, ...; not `any` nor a type parameter, which `map` and
 * friends infer from the callback; not `unknown` either, the usual "anything, awaited if a
 * promise" of helpers like `measure(fn: () => unknown)`, except for the predicates of
 * `filter`, `some`, `find`, ...), while the function itself returns one.
 */
function returnsPromiseWhereNoneExpected(checker: ts.TypeChecker, node: ts.Expression | ts.MethodDeclaration, predicate: boolean): boolean {
  const contextual = ts.isMethodDeclaration(node) ? contextualTypeOfMethod(checker, node) : checker.getContextualType(node);
  if (!contextual) return false;
  const wanted = contextual.getNonNullableType().getCallSignatures();
  if (wanted.length === 0 || !wanted.every((s) => leavesNoRoomForPromise(checker, checker.getReturnTypeOfSignature(s), predicate))) return false;
  const given = checker.getTypeAtLocation(node).getCallSignatures();
  return given.some((s) => containsThenable(checker, checker.getReturnTypeOfSignature(s)));
}

function contextualTypeOfMethod(checker: ts.TypeChecker, method: ts.MethodDeclaration): ts.Type | undefined {
  const literal = checker.getContextualType(method.parent as ts.ObjectLiteralExpression);
  if (!literal || !ts.isIdentifier(method.name)) return undefined;
  const property = literal.getProperty(method.name.text);
  return property ? checker.getTypeOfSymbolAtLocation(property, method) : undefined;
}

function leavesNoRoomForPromise(checker: ts.TypeChecker, type: ts.Type, predicate: boolean): boolean {
  if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.TypeParameter)) return false;
  if (type.flags & ts.TypeFlags.Unknown && !predicate) return false;
  return !containsThenable(checker, type);
}

function containsThenable(checker: ts.TypeChecker, type: ts.Type): boolean {
  return type.isUnion() ? type.types.some((t) => isThenable(checker, t)) : isThenable(checker, type);
}

function isAlwaysThenable(checker: ts.TypeChecker, type: ts.Type): boolean {
  return type.isUnion() ? type.types.every((t) => isThenable(checker, t)) : isThenable(checker, type);
}

function isArrayOfThenables(checker: ts.TypeChecker, type: ts.Type): boolean {
  if (!checker.isArrayType(type) && !checker.isTupleType(type)) return false;
  return checker.getTypeArguments(type as ts.TypeReference).some((t) => containsThenable(checker, t));
}

/** Anything with a callable `then`: Promise, PromiseLike, a thenable class. */
function isThenable(checker: ts.TypeChecker, type: ts.Type): boolean {
  if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown | ts.TypeFlags.Never)) return false;
  const then = type.getProperty('then');
  if (!then || !then.valueDeclaration && !then.declarations?.length) return false;
  const declaration = then.valueDeclaration ?? then.declarations![0]!;
  return checker.getTypeOfSymbolAtLocation(then, declaration).getCallSignatures().length > 0;
}

function isAssignment(kind: ts.SyntaxKind): boolean {
  return kind >= ts.SyntaxKind.FirstAssignment && kind <= ts.SyntaxKind.LastAssignment;
}

function skipParens(e: ts.Expression): ts.Expression {
  while (ts.isParenthesizedExpression(e)) e = e.expression;
  return e;
}
