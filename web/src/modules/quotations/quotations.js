// quotations.js — what the quotation pages share: state colours, and
// quantities (thousandths) and discounts (basis points) as text and back,
// exactly (no floating-point arithmetic). Money itself is formatted by
// @/money.js and computed only by the server.
import { formatMoney } from '@/money.js'

export const STATES = ['draft', 'in_approval', 'approved', 'sent', 'accepted', 'rejected', 'expired']

export function stateType(s) {
  return { draft: 'info', in_approval: 'warning', approved: 'primary', sent: 'primary', accepted: 'success', rejected: 'danger', expired: 'info' }[s] || 'info'
}

const SYMBOLS = { CNY: '¥', USD: '$', EUR: '€' }
export function money(minor, currency = 'CNY') {
  return formatMoney(minor, SYMBOLS[currency] || '')
}

/** 1500 → "1.5" (thousandths of the unit as text). */
export function qtyText(milli) {
  if (milli === null || milli === undefined) return ''
  const whole = Math.floor(milli / 1000)
  const frac = String(milli % 1000).padStart(3, '0').replace(/0+$/, '')
  return frac ? `${whole}.${frac}` : String(whole)
}

/** "1.5" → 1500; "" → null; invalid → NaN (at most three decimals). */
export function parseQty(text) {
  const s = String(text ?? '').trim().replace(/,/g, '')
  if (s === '') return null
  const m = /^(\d+)(?:\.(\d{0,3}))?$/.exec(s)
  if (!m) return NaN
  const v = Number(m[1]) * 1000 + Number((m[2] || '').padEnd(3, '0'))
  return Number.isSafeInteger(v) ? v : NaN
}

/** 1250 → "12.5%". */
export function bpText(bp) {
  if (bp === null || bp === undefined) return ''
  const whole = Math.floor(bp / 100)
  const frac = String(bp % 100).padStart(2, '0').replace(/0+$/, '')
  return `${frac ? `${whole}.${frac}` : whole}%`
}

/** "12.5" → 1250 basis points; "" → 0; invalid → NaN. */
export function parseBp(text) {
  const s = String(text ?? '').trim().replace(/%$/, '')
  if (s === '') return 0
  const m = /^(\d{1,3})(?:\.(\d{0,2}))?$/.exec(s)
  if (!m) return NaN
  const v = Number(m[1]) * 100 + Number((m[2] || '').padEnd(2, '0'))
  return v <= 10000 ? v : NaN
}

/** 7123400 → "7.1234" (yuan per unit, millionths). */
export function rateText(micro) {
  if (!micro) return ''
  const whole = Math.floor(micro / 1e6)
  const frac = String(micro % 1e6).padStart(6, '0').replace(/0+$/, '')
  return frac ? `${whole}.${frac}` : String(whole)
}

export function parseRate(text) {
  const s = String(text ?? '').trim()
  if (s === '') return null
  const m = /^(\d+)(?:\.(\d{0,6}))?$/.exec(s)
  if (!m) return NaN
  const v = Number(m[1]) * 1e6 + Number((m[2] || '').padEnd(6, '0'))
  return v > 0 && Number.isSafeInteger(v) ? v : NaN
}
