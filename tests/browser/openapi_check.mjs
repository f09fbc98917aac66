// openapi_check.mjs — checks the API requests a browser sends against the
// server's own OpenAPI document (GET /api/v1/openapi.json): the path and
// method are an operation, every path and query parameter is declared and
// of its schema's type, the required ones are there, and a JSON body
// validates against the operation's request body schema (Ajv, JSON Schema
// 2020-12 as OpenAPI 3.1 has it). lib.mjs records every page's requests and
// calls this; tests/api/openapi.test.mjs tests it on requests made up to be
// right and wrong.
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
const require = createRequire(path.resolve(here, '../../web/package.json'))
const Ajv2020 = require('ajv/dist/2020').default
const addFormats = require('ajv-formats').default

/** A checker for one document: check({method, url, body, contentType}) → problems (strings). */
export function requestChecker(doc) {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true })
  addFormats(ajv)
  const compiled = new WeakMap()
  const validator = (schema) => {
    if (!compiled.has(schema)) compiled.set(schema, ajv.compile(schema))
    return compiled.get(schema)
  }
  // a query or path value is text: it is valid when the text, or the number
  // or boolean it spells, is
  const valueOk = (schema, raw) => {
    const v = validator(schema || {})
    if (v(raw)) return true
    if (/^-?\d+$/.test(raw) && v(Number(raw))) return true
    if ((raw === 'true' || raw === 'false') && v(raw === 'true')) return true
    return false
  }
  const templates = Object.keys(doc.paths).map((t) => {
    const names = []
    const rx = new RegExp('^' + t.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{([^}]+)\}/g, (_, n) => {
      names.push(n)
      return '([^/]+)'
    }) + '$')
    return { t, rx, names }
  })
  // the dispatcher prefers a literal segment to a parameter: fewer parameters first
  templates.sort((a, b) => a.names.length - b.names.length)

  return function check({ method, url, body, contentType }) {
    const problems = []
    const u = new URL(url)
    const m = method.toLowerCase()
    const matches = templates.filter((x) => x.rx.test(u.pathname))
    if (!matches.length) return [`${method} ${u.pathname}: no such path in the OpenAPI document`]
    const hit = matches.find((x) => doc.paths[x.t][m])
    if (!hit) return [`${method} ${u.pathname}: ${method} is not an operation of ${matches[0].t}`]
    const op = doc.paths[hit.t][m]
    const where = `${method} ${hit.t}`
    const params = op.parameters || []
    const values = hit.rx.exec(u.pathname).slice(1).map(decodeURIComponent)
    hit.names.forEach((n, i) => {
      const p = params.find((x) => x.in === 'path' && x.name === n)
      if (p && !valueOk(p.schema, values[i])) problems.push(`${where}: path parameter ${n}=${JSON.stringify(values[i])} is not ${JSON.stringify(p.schema)}`)
    })
    const query = new Map()
    for (const [k, v] of u.searchParams) query.set(k, [...(query.get(k) || []), v])
    const declared = params.filter((x) => x.in === 'query')
    const prefixed = declared.filter((x) => x.schema?.type === 'object' && x.schema.propertyNames?.pattern)
    for (const [k, vs] of query) {
      const p = declared.find((x) => x.name === k && !prefixed.includes(x))
      if (p) {
        if (vs.length > 1 && p.schema?.type !== 'array') problems.push(`${where}: query parameter ${k} is given ${vs.length} times`)
        for (const v of vs) if (!valueOk(p.schema, v)) problems.push(`${where}: query parameter ${k}=${JSON.stringify(v)} is not ${JSON.stringify(p.schema)}`)
        continue
      }
      const group = prefixed.find((x) => new RegExp(x.schema.propertyNames.pattern).test(k))
      if (group) {
        const value = vs.length > 1 ? vs : vs[0]
        if (!validator(group.schema.additionalProperties || {})(value)) problems.push(`${where}: query parameter ${k} is not ${JSON.stringify(group.schema.additionalProperties)}`)
        continue
      }
      problems.push(`${where}: query parameter ${k} is not in the OpenAPI document (declared: ${declared.map((x) => x.name).join(', ') || 'none'})`)
    }
    for (const p of declared) if (p.required && !query.has(p.name)) problems.push(`${where}: the required query parameter ${p.name} is missing`)

    const hasBody = body !== null && body !== undefined && body !== ''
    const rb = op.requestBody
    if (!rb) {
      if (hasBody) problems.push(`${where}: sends a body, but the operation takes none`)
      return problems
    }
    if (!hasBody) {
      // (an upload's bytes are not shown to the test when the page sends a File)
      if (rb.required && rb.content?.['application/json']) problems.push(`${where}: the request body is required`)
      return problems
    }
    const json = rb.content?.['application/json']
    if (!json) return problems // an upload or XML: the media type is the handler's
    if (!/^application\/json\b/i.test(contentType || '')) problems.push(`${where}: the body is sent as ${contentType || 'no type'}, not application/json`)
    let value
    try {
      value = JSON.parse(body)
    } catch {
      problems.push(`${where}: the body is not JSON`)
      return problems
    }
    const v = validator(json.schema || {})
    if (!v(value)) {
      for (const e of v.errors) problems.push(`${where}: body${e.instancePath || ''} ${e.message}${e.params && Object.keys(e.params).length ? ' ' + JSON.stringify(e.params) : ''}`)
    }
    return problems
  }
}
