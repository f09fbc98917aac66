// 导入向导自己的文字（简体中文），合并到 src/locales/zh-CN.js 之上。
export default {
  imports: {
    productTitle: '导入产品',
    productPage: '从 CSV 或 Excel 文件把产品加入产品目录：对应各列，检查每一行，然后导入。',
    backToProducts: '返回产品',
    seeProducts: '查看产品',
    productTargets: {
      code: '编码',
      name: '名称',
      unit: '销售单位',
      list_price: '标准售价',
      category: '类别',
      conductor: '导体',
      insulation: '绝缘',
      thickness_mm: '厚度(mm)',
      width_mm: '宽度(mm)',
      packages: '包装',
      standard_cost: '标准成本',
      tax_rate: '税率',
      active: '在用',
    },
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
