// finance.js — what the money pages share: receipt methods, invoice kinds,
// the ageing buckets, money as text (the server computes every amount) and
// the company's date today.
import { formatMoney } from '@/money.js'

export const METHODS = ['bank_transfer', 'cash', 'cheque', 'acceptance_bill', 'wechat_pay', 'alipay', 'other']
export const KINDS = ['vat_special', 'vat_general']
export const BUCKETS = ['not_due', 'd0_30', 'd31_60', 'd61_90', 'd90_plus']
export const OPEN_STATES = ['effective', 'fulfilling']

const SYMBOLS = { CNY: '¥', USD: '$', EUR: '€' }
export function money(minor, currency = 'CNY') {
  return formatMoney(minor, SYMBOLS[currency] || '')
}

/** The company's date (China time) as YYYY-MM-DD. */
export function today() {
  return new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10)
}

export function planStateType(s) {
  return { paid: 'success', partly_paid: 'warning', overdue: 'danger', open: 'info' }[s] || 'info'
}

export function bucketType(b) {
  return { not_due: 'info', d0_30: 'primary', d31_60: 'warning', d61_90: 'danger', d90_plus: 'danger' }[b] || 'info'
}
