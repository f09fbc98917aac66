// api.js — the JSON client for /api/v1: CSRF header on unsafe requests,
// problem+json errors turned into ApiError, 401 handed to the session.

const CSRF_KEY = 'tf.csrf'
let unauthorizedHandler = null

/** An API failure. `status` is 0 for a network error. */
export class ApiError extends Error {
  constructor(status, problem) {
    const p = problem || {}
    super(p.detail || p.title || `HTTP ${status}`)
    this.name = 'ApiError'
    this.status = status
    this.code = p.code || null
    this.title = p.title || null
    this.detail = p.detail || null
    this.errors = Array.isArray(p.errors) ? p.errors : []
    this.problem = p // the whole reply: extra members such as duplicates, limit, winner
  }
}

export function setCsrfToken(token) {
  if (token) sessionStorage.setItem(CSRF_KEY, token)
  else sessionStorage.removeItem(CSRF_KEY)
}

export function getCsrfToken() {
  return sessionStorage.getItem(CSRF_KEY)
}

/** Called with no arguments whenever a request (other than login) gets 401. */
export function onUnauthorized(fn) {
  unauthorizedHandler = fn
}

/** '/customers/export', {format: 'csv'} → '/api/v1/customers/export?format=csv' (for links). */
export function buildUrl(path, query) {
  const url = '/api/v1' + path
  if (!query) return url
  const qs = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) {
    // an array repeats the key (multi-select filters: cf.tags=a&cf.tags=b)
    if (Array.isArray(v)) for (const x of v) qs.append(k, String(x))
    else if (v !== undefined && v !== null && v !== '') qs.set(k, String(v))
  }
  const s = qs.toString()
  return s ? `${url}?${s}` : url
}

/**
 * request('GET', '/users', {query}) → parsed JSON (or null for 204).
 * Throws ApiError on any non-2xx status or network failure.
 */
export async function request(method, path, { query, body, quiet401 = false } = {}) {
  const headers = {
    Accept: 'application/json, application/problem+json',
    'Accept-Language': document.documentElement.lang || 'en',
  }
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  if (method !== 'GET' && method !== 'HEAD') {
    const token = getCsrfToken()
    if (token) headers['X-CSRF-Token'] = token
  }
  let res
  try {
    res = await fetch(buildUrl(path, query), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
    })
  } catch (e) {
    throw new ApiError(0, { title: 'network' })
  }
  if (res.status === 204) return null
  const text = await res.text()
  let data = null
  if (text) {
    try {
      data = JSON.parse(text)
    } catch {
      data = null
    }
  }
  if (!res.ok) {
    if (res.status === 401 && !quiet401 && unauthorizedHandler) unauthorizedHandler()
    throw new ApiError(res.status, data)
  }
  return data
}

/**
 * Send a file as the request body (POST /imports?filename=...): the bytes
 * themselves, not a form, with the file's type (or a generic one).
 */
export async function upload(path, file, query) {
  // The server sniffs the format itself; name the two it knows, else bytes.
  const name = String(file.name || '').toLowerCase()
  const type = name.endsWith('.csv')
    ? 'text/csv'
    : name.endsWith('.xlsx')
      ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
      : 'application/octet-stream'
  const headers = {
    Accept: 'application/json, application/problem+json',
    'Accept-Language': document.documentElement.lang || 'en',
    'Content-Type': type,
  }
  const token = getCsrfToken()
  if (token) headers['X-CSRF-Token'] = token
  let res
  try {
    res = await fetch(buildUrl(path, query), { method: 'POST', headers, body: file, credentials: 'same-origin' })
  } catch {
    throw new ApiError(0, { title: 'network' })
  }
  const text = await res.text()
  let data = null
  try {
    data = text ? JSON.parse(text) : null
  } catch {
    data = null
  }
  if (!res.ok) {
    if (res.status === 401 && unauthorizedHandler) unauthorizedHandler()
    throw new ApiError(res.status, data)
  }
  return data
}

/** GET a file (an export) and save it as the server names it (else
 *  fallback); a refusal throws like request() does. */
export async function download(path, query, fallback) {
  const res = await fetch(buildUrl(path, query), {
    credentials: 'same-origin',
    headers: { 'Accept-Language': document.documentElement.lang || 'en' },
  })
  if (!res.ok) {
    let p = null
    try {
      p = await res.json()
    } catch {
      /* not JSON */
    }
    throw Object.assign(new Error(), { status: res.status, detail: p && p.detail, title: p && p.title })
  }
  const blob = await res.blob()
  const m = /filename="([^"]+)"/.exec(res.headers.get('Content-Disposition') || '')
  const a = document.createElement('a')
  a.href = URL.createObjectURL(blob)
  a.download = m ? m[1] : fallback
  document.body.appendChild(a)
  a.click()
  setTimeout(() => {
    URL.revokeObjectURL(a.href)
    a.remove()
  }, 1000)
}

export const api = {
  get: (path, query, opts) => request('GET', path, { ...opts, query }),
  post: (path, body, opts) => request('POST', path, { ...opts, body: body ?? {} }),
  patch: (path, body, opts) => request('PATCH', path, { ...opts, body }),
  put: (path, body, opts) => request('PUT', path, { ...opts, body }),
  del: (path, opts) => request('DELETE', path, opts),
}
