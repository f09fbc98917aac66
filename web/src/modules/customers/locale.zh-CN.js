// 客户模块自己的文案（合并到 src/locales/zh-CN.js 之上）。
export default {
  followups: {
    contact: '联系人',
    contactNone: '选择联系人（可选）',
    noContacts: '暂无联系人',
    withContact: '联系人：{name}',
    edit: '更正',
    delete: '删除',
    editTitle: '更正跟进记录',
    editHint: '跟进记录在填写后一天内可由本人更正或删除，历史记录会保留前后两个版本。',
    corrected: '跟进记录已更正',
    deleted: '跟进记录已删除',
    confirmDelete: '删除这条跟进记录？历史记录会保留其内容。',
    edited: '已更正',
    editableUntil: '可更正至 {when}',
  },
  takeback: {
    daysLeft: '{n} 天后收回公海',
    dueToday: '今天将收回公海',
    column: '收回倒计时',
    short: '{n} 天',
    rules: { no_followup: '未跟进', no_deal: '未成交' },
    detail: '若持续{rule}，将于 {when} 收回公海。跟进即可保留客户。',
    detailDeal: '若持续{rule}，将于 {when} 收回公海。',
  },
  history: {
    actions: { followup_edit: '更正跟进', followup_delete: '删除跟进' },
  },
}
