// 导入向导自己的文字（简体中文），合并到 src/locales/zh-CN.js 之上。
export default {
  imports: {
    targets: {
      contact_name: '联系人：姓名',
      contact_title: '联系人：职务',
      contact_mobile: '联系人：手机',
      contact_email: '联系人：邮箱',
    },
    unknownLabel: '字典中没有的值：',
    choices: {
      refuse: '拒绝该行',
      empty: '留空该字段',
      add: '加入字典',
    },
    unknownTitle: '字典中没有的值',
    unknownWhat: {
      refuse: '{n} 行 · 拒绝',
      empty: '{n} 行 · 留空',
      add: '{n} 行 · 加入字典',
    },
  },
}
