// products.js — the products module's small helpers: exact quantities in
// thousandths, sizes in micrometres, percentages in basis points (never
// floating-point arithmetic), and the category tree for the selects.
import { api } from '@/api.js'

/** "1.5" → 1500; "" → null; invalid → NaN (at most three decimals). */
export function parseQty(text) {
  const s = String(text ?? '').trim()
  if (s === '') return null
  const m = /^(-)?(\d+)(?:\.(\d{1,3}))?$/.exec(s)
  if (!m) return NaN
  const v = Number(m[2]) * 1000 + Number((m[3] || '').padEnd(3, '0'))
  if (!Number.isSafeInteger(v)) return NaN
  return m[1] ? -v : v
}
/** 1500 → "1.5", 50000 → "50". */
export function formatQty(milli) {
  if (milli === null || milli === undefined) return '—'
  const sign = milli < 0 ? '-' : ''
  const a = Math.abs(milli)
  const frac = String(a % 1000).padStart(3, '0').replace(/0+$/, '')
  return `${sign}${Math.floor(a / 1000).toLocaleString('en-US')}${frac ? '.' + frac : ''}`
}
/** 2240 µm → "2.24". */
export const formatMm = (um) => (um == null ? '' : (Math.floor(um / 1000) + '.' + String(um % 1000).padStart(3, '0')).replace(/0$/, ''))
/** "2.24" → 2240 µm. */
export const parseMm = (text) => parseQty(text)
/** 550 bp → "5.5" %. */
export function formatPercent(bp) {
  if (bp == null) return ''
  const frac = String(bp % 100).padStart(2, '0').replace(/0+$/, '')
  return `${Math.floor(bp / 100)}${frac ? '.' + frac : ''}`
}
/** "5.5" → 550 bp; invalid or outside 0..100 → NaN. */
export function parsePercent(text) {
  const m = /^(\d+)(?:\.(\d{1,2}))?$/.exec(String(text ?? '').trim())
  if (!m) return NaN
  const v = Number(m[1]) * 100 + Number((m[2] || '').padEnd(2, '0'))
  return v <= 10000 ? v : NaN
}

/** The category tree as el-tree-select data: [{value, label, children}]. */
export async function loadCategoryTree() {
  const res = await api.get('/product-categories')
  const items = (res && res.items) || []
  const byId = new Map(items.map((c) => [c.id, { value: c.id, label: c.name, children: [] }]))
  const roots = []
  for (const c of items) (c.parent_id && byId.get(c.parent_id) ? byId.get(c.parent_id).children : roots).push(byId.get(c.id))
  return roots
}

/** The specification in the UI's language: "Copper / Polyimide film / 2.24×9.00 mm". */
export function specText(t, p) {
  const parts = []
  if (p.conductor) parts.push(t(`product.conductors.${p.conductor}`))
  if (p.insulation) parts.push(t(`product.insulations.${p.insulation}`))
  if (p.thickness_um && p.width_um) parts.push(`${formatMm(p.thickness_um)}×${formatMm(p.width_um)} mm`)
  return parts.join(' / ')
}
