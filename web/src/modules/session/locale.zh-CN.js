// locale.zh-CN.js — 会话模块的文字（简体中文）：无权访问的提示。
export default {
  noAccess: {
    title: '您无权访问此页面',
    text: '您的角色不包含此页面。如需使用，请联系管理员。',
    back: '返回工作台',
    header: '无权访问',
  },
}
