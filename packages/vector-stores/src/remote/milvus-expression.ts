/**
 * The part of Milvus' boolean expression language (its `filter`/`expr` strings) the
 * Milvus protocol server evaluates: comparisons of a field with a literal (`==`, `!=`,
 * `<`, `<=`, `>`, `>=`), `in` and `not in` a list of literals, `and`/`&&`, `or`/`||`,
 * `not`/`!` and parentheses. Literals are double- or single-quoted strings (backslash
 * escapes, as in JSON), numbers, `true` and `false`. Anything else is a parse error, as
 * an expression Milvus cannot parse is.
 */
export type Literal = string | number | boolean
export type Expression =
  | { kind: 'and' | 'or'; left: Expression; right: Expression }
  | { kind: 'not'; inner: Expression }
  | { kind: 'compare'; field: string; operator: '==' | '!=' | '<' | '<=' | '>' | '>='; value: Literal }
  | { kind: 'in'; field: string; negated: boolean; values: Literal[] }

const TOKEN = /\s*(?:(&&|\|\||==|!=|<=|>=|<|>|!|\(|\)|\[|\]|,)|("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)|([A-Za-z_][A-Za-z0-9_]*))/y

interface Token { kind: 'symbol' | 'string' | 'number' | 'word'; text: string }

function tokenize(source: string): Token[] {
  const tokens: Token[] = []
  TOKEN.lastIndex = 0
  while (TOKEN.lastIndex < source.length) {
    if (/^\s*$/.test(source.slice(TOKEN.lastIndex))) break
    const at = TOKEN.lastIndex
    const match = TOKEN.exec(source)
    if (!match) throw new Error(`cannot parse expression: ${source}: unexpected ${JSON.stringify(source.slice(at, at + 10))} at ${at}`)
    if (match[1]) tokens.push({ kind: 'symbol', text: match[1] })
    else if (match[2]) tokens.push({ kind: 'string', text: match[2] })
    else if (match[3]) tokens.push({ kind: 'number', text: match[3] })
    else tokens.push({ kind: 'word', text: match[4]! })
  }
  return tokens
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f' }

/** A quoted literal's body with its backslash escapes resolved (`\n`, `\"`, `\'`, `\\`, `\uXXXX`). */
function unescape(body: string): string {
  return body.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, escaped: string) => escaped.length === 5 ? String.fromCharCode(parseInt(escaped.slice(1), 16)) : ESCAPES[escaped] ?? escaped)
}

/** Parses an expression; the empty one (every row) is `undefined`. */
export function parseExpression(source: string): Expression | undefined {
  const tokens = tokenize(source)
  if (tokens.length === 0) return undefined
  let position = 0
  const fail = (what: string): never => {
    throw new Error(`cannot parse expression: ${source}: ${what} at token ${position + 1} (${tokens[position]?.text ?? 'end'})`)
  }
  const peek = () => tokens[position]
  const isWord = (word: string) => peek()?.kind === 'word' && peek()!.text.toLowerCase() === word
  const isSymbol = (symbol: string) => peek()?.kind === 'symbol' && peek()!.text === symbol
  const expect = (symbol: string) => {
    if (!isSymbol(symbol)) fail(`expected ${symbol}`)
    position++
  }

  function literal(): Literal {
    const token = peek() ?? fail('expected a literal')
    position++
    if (token.kind === 'string') return unescape(token.text.slice(1, -1))
    if (token.kind === 'number') return Number(token.text)
    if (token.kind === 'word' && (token.text === 'true' || token.text === 'false')) return token.text === 'true'
    return fail('expected a literal')
  }

  function comparison(): Expression {
    const field = peek()
    if (field?.kind !== 'word') return fail('expected a field name')
    position++
    const negated = isWord('not')
    if (negated) position++
    if (isWord('in')) {
      position++
      expect('[')
      const values: Literal[] = []
      while (!isSymbol(']')) {
        values.push(literal())
        if (!isSymbol(']')) expect(',')
      }
      position++
      return { kind: 'in', field: field.text, negated, values }
    }
    if (negated) fail('expected in after not')
    const operator = peek()
    if (operator?.kind !== 'symbol' || !['==', '!=', '<', '<=', '>', '>='].includes(operator.text)) return fail('expected a comparison')
    position++
    return { kind: 'compare', field: field.text, operator: operator.text as '==', value: literal() }
  }

  function unary(): Expression {
    if (isWord('not') || isSymbol('!')) {
      position++
      return { kind: 'not', inner: unary() }
    }
    if (isSymbol('(')) {
      position++
      const inner = or()
      expect(')')
      return inner
    }
    return comparison()
  }

  function and(): Expression {
    let left = unary()
    while (isWord('and') || isSymbol('&&')) {
      position++
      left = { kind: 'and', left, right: unary() }
    }
    return left
  }

  function or(): Expression {
    let left = and()
    while (isWord('or') || isSymbol('||')) {
      position++
      left = { kind: 'or', left, right: and() }
    }
    return left
  }

  const parsed = or()
  if (position < tokens.length) fail('unexpected trailing input')
  return parsed
}

/** The fields an expression reads (the server checks them against the schema). */
export function fieldsOf(expression: Expression | undefined): string[] {
  if (!expression) return []
  switch (expression.kind) {
    case 'and':
    case 'or': return [...fieldsOf(expression.left), ...fieldsOf(expression.right)]
    case 'not': return fieldsOf(expression.inner)
    default: return [expression.field]
  }
}

/** Whether a row (field name to value) satisfies the expression; `undefined` (the empty expression) every row does. */
export function evaluate(expression: Expression | undefined, row: Readonly<Record<string, unknown>>): boolean {
  if (!expression) return true
  switch (expression.kind) {
    case 'and': return evaluate(expression.left, row) && evaluate(expression.right, row)
    case 'or': return evaluate(expression.left, row) || evaluate(expression.right, row)
    case 'not': return !evaluate(expression.inner, row)
    case 'in': return expression.values.includes(row[expression.field] as Literal) !== expression.negated
    case 'compare': {
      const value = row[expression.field] as Literal
      switch (expression.operator) {
        case '==': return value === expression.value
        case '!=': return value !== expression.value
        case '<': return value < expression.value
        case '<=': return value <= expression.value
        case '>': return value > expression.value
        case '>=': return value >= expression.value
      }
    }
  }
}
