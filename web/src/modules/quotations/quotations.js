// quotations.js — what the quotation pages share: state colours, and
// quantities (thousandths) and discounts (basis points) as text and back,
// exactly (no floating-point arithmetic). Money itself is formatted by
// @/money.js and computed only by the server.
import { decimalText, formatMoney, parseDecimal } from '@/money.js'

export const STATES = ['draft', 'in_approval', 'approved', 'sent', 'accepted', 'rejected', 'expired']

export function stateType(s) {
  return { draft: 'info', in_approval: 'warning', approved: 'primary', sent: 'primary', accepted: 'success', rejected: 'danger', expired: 'info' }[s] || 'info'
}

const SYMBOLS = { CNY: '¥', USD: '$', EUR: '€' }
export function money(minor, currency = 'CNY') {
  return formatMoney(minor, SYMBOLS[currency] || '')
}

/** 1500 → "1.5" (thousandths of the unit as text). */
export const qtyText = (milli) => (milli == null ? '' : decimalText(milli, 3))

/** "1.5" → 1500; "" → null; invalid → NaN (at most three decimals). */
export const parseQty = (text) => parseDecimal(String(text ?? '').replace(/,/g, ''), 3)

/** 1250 → "12.5%". */
export const bpText = (bp) => (bp == null ? '' : `${decimalText(bp, 2)}%`)

/** "12.5" → 1250 basis points; "" → 0; invalid → NaN. */
export function parseBp(text) {
  const v = parseDecimal(String(text ?? '').trim().replace(/%$/, ''), 2)
  return v === null ? 0 : v <= 10000 ? v : NaN
}

/** 7123400 → "7.1234" (yuan per unit, millionths). */
export const rateText = (micro) => (micro ? decimalText(micro, 6) : '')

/** "7.1234" → 7123400; "" → null; zero or invalid → NaN. */
export function parseRate(text) {
  const v = parseDecimal(text, 6)
  return v === null || v > 0 ? v : NaN
}
