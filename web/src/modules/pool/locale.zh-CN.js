// 公海模块自己的文案（合并到 src/locales/zh-CN.js 之上）。
export default {
  pool: {
    previousOwner: '前负责人',
    cameBack: '进入公海',
    noPrevious: '—',
    how: {
      auto_takeback: '超期自动收回',
      release: '负责人主动释放',
      takeback: '主管收回',
      import: '导入',
      entered: '直接录入公海',
      wechat: '来自微信',
    },
    byName: '操作人：{name}',
    appliedTag: '已申请',
    appliedHint: '申请等待审批',
    none: {
      reclaim_cooldown: '{until} 后可再领取',
      max_owned: '已达拥有上限',
      no_permission: '—',
    },
    applyHint: '今日领取次数已用完，可提交申请由主管审批',
  },
}
