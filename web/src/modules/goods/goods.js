// goods.js — what the goods pages share: return state colours, quantities
// (thousandths) as text and back, money in the contract's currency, and
// margins in basis points. Exact: no floating-point arithmetic; the server
// computes every figure.
import { decimalText } from '@/money.js'
export { money, qtyText, parseQty } from '@/modules/quotations/quotations.js'

export const RETURN_STATES = ['draft', 'in_approval', 'approved', 'rejected', 'cancelled']
export const METHODS = ['bank_transfer', 'cash', 'cheque', 'acceptance_bill', 'wechat_pay', 'alipay', 'other']

export function returnStateType(s) {
  return { draft: 'info', in_approval: 'warning', approved: 'success', rejected: 'danger', cancelled: 'info' }[s] || 'info'
}

/** 4908 → "49.08%"; null → "—". */
export const marginText = (bp) => (bp == null ? '—' : `${decimalText(bp, 2)}%`)

/** The first day of this year and today, as the company's dates. */
export function yearRange() {
  const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10)
  return [`${today.slice(0, 4)}-01-01`, today]
}
