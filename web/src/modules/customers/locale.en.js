// The customer module's own strings (merged over src/locales/en.js).
export default {
  followups: {
    contact: 'Contact',
    contactNone: 'Choose a contact (optional)',
    noContacts: 'No contacts yet',
    withContact: 'with {name}',
    edit: 'Correct',
    delete: 'Delete',
    editTitle: 'Correct the follow-up',
    editHint: 'You may correct or delete your follow-up within a day of writing it. The history keeps both versions.',
    corrected: 'Follow-up corrected',
    deleted: 'Follow-up deleted',
    confirmDelete: 'Delete this follow-up? The history keeps what it said.',
    edited: 'corrected',
    editableUntil: 'You can correct it until {when}',
  },
  takeback: {
    daysLeft: 'Back to the pool in {n} days | Back to the pool in {n} day | Back to the pool in {n} days',
    dueToday: 'Goes back to the pool today',
    column: 'Take-back',
    short: '{n} d',
    rules: { no_followup: 'without a follow-up', no_deal: 'without a deal' },
    detail: 'On {when}, {rule}. A follow-up keeps the customer.',
    detailDeal: 'On {when}, {rule}.',
  },
  history: {
    actions: { followup_edit: 'Follow-up corrected', followup_delete: 'Follow-up deleted' },
  },
}
