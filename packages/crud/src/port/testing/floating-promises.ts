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
 * - `void_callback`: a function returning a promise passed (or assigned in an object
 *   literal) where a function returning `void` is expected (`forEach(x => ctx.run(...))`):
 *   the caller drops what it returns.
 *
 * The same checks as typescript-eslint's no-floating-promises and no-misused-promises, kept
 * here so that `npm test` runs them without a type-aware lint pass over the whole workspace.
 */
export interface FloatingPromise {
  kind: 'floating' | 'condition' | 'void_callback';
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
        for (const arg of node.arguments ?? []) if (returnsPromiseWhereVoidExpected(checker, arg)) report('void_callback', arg);
      }
      if (ts.isPropertyAssignment(node) && returnsPromiseWhereVoidExpected(checker, node.initializer)) report('void_callback', node);
      if (ts.isMethodDeclaration(node) && ts.isObjectLiteralExpression(node.parent) && returnsPromiseWhereVoidExpected(checker, node)) report('void_callback', node);
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
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

/**
 * A function-valued argument or property whose contextual type wants `void` back (every
 * signature), while the function itself returns a promise.
 */
function returnsPromiseWhereVoidExpected(checker: ts.TypeChecker, node: ts.Expression | ts.MethodDeclaration): boolean {
  const contextual = ts.isMethodDeclaration(node) ? contextualTypeOfMethod(checker, node) : checker.getContextualType(node);
  if (!contextual) return false;
  const wanted = contextual.getNonNullableType().getCallSignatures();
  if (wanted.length === 0 || !wanted.every((s) => isVoid(checker.getReturnTypeOfSignature(s)))) return false;
  const given = checker.getTypeAtLocation(node).getCallSignatures();
  return given.some((s) => containsThenable(checker, checker.getReturnTypeOfSignature(s)));
}

function contextualTypeOfMethod(checker: ts.TypeChecker, method: ts.MethodDeclaration): ts.Type | undefined {
  const literal = checker.getContextualType(method.parent as ts.ObjectLiteralExpression);
  if (!literal || !ts.isIdentifier(method.name)) return undefined;
  const property = literal.getProperty(method.name.text);
  return property ? checker.getTypeOfSymbolAtLocation(property, method) : undefined;
}

function isVoid(type: ts.Type): boolean {
  return (type.flags & ts.TypeFlags.Void) !== 0;
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
