// contracts.js — what the contract pages share: the states and their tag
// colours, and the quantity / money helpers of the quotation pages (money is
// computed only by the server).
export { money, qtyText, parseQty, bpText, parseBp, rateText, parseRate } from '@/modules/quotations/quotations.js'

export const STATES = ['draft', 'in_approval', 'effective', 'fulfilling', 'completed', 'cancelled', 'terminated']

export function stateType(s) {
  return { draft: 'info', in_approval: 'warning', effective: 'primary', fulfilling: 'primary', completed: 'success', cancelled: 'info', terminated: 'danger' }[s] || 'info'
}
