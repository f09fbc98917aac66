// The pool module's own strings (merged over src/locales/en.js).
export default {
  pool: {
    previousOwner: 'Previous owner',
    cameBack: 'Came back',
    noPrevious: '—',
    how: {
      auto_takeback: 'Taken back automatically',
      release: 'Released by the owner',
      takeback: 'Taken back by a manager',
      import: 'Imported',
      entered: 'Entered into the pool',
      wechat: 'From WeChat',
    },
    byName: 'by {name}',
    appliedTag: 'Applied',
    appliedHint: 'Your application awaits a decision',
    none: {
      reclaim_cooldown: 'Yours again from {until}',
      max_owned: 'You own the maximum',
      no_permission: '—',
    },
    applyHint: "Today's claims are used up: apply, your manager decides",
  },
}
