// products.js — the products module's small helpers: exact quantities in
// thousandths, sizes in micrometres, percentages in basis points (never
// floating-point arithmetic), and the category tree for the selects.
import { api } from '@/api.js'
import { decimalText, parseDecimal } from '@/money.js'

/** "1.5" → 1500; "" → null; invalid → NaN (at most three decimals). */
export const parseQty = (text) => parseDecimal(text, 3, { signed: true })
/** 1500 → "1.5", 50000 → "50", 1234500 → "1,234.5". */
export function formatQty(milli) {
  if (milli === null || milli === undefined) return '—'
  const [whole, frac] = decimalText(milli, 3).split('.')
  return `${Number(whole).toLocaleString('en-US')}${frac ? '.' + frac : ''}`
}
/** 2240 µm → "2.24", 9000 → "9.00": sizes keep two decimals. */
export const formatMm = (um) => (um == null ? '' : (Math.floor(um / 1000) + '.' + String(um % 1000).padStart(3, '0')).replace(/0$/, ''))
/** "2.24" → 2240 µm. */
export const parseMm = (text) => parseQty(text)
/** 550 bp → "5.5" %. */
export const formatPercent = (bp) => (bp == null ? '' : decimalText(bp, 2))
/** "5.5" → 550 bp; invalid or outside 0..100 → NaN. */
export function parsePercent(text) {
  const v = parseDecimal(text, 2)
  return v !== null && v <= 10000 ? v : NaN
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
