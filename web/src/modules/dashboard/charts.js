// charts.js — the shared slice of ECharts (@/charts.js) plus the funnel the
// home page draws. Imported only dynamically (DashChart.vue), so ECharts
// stays out of the first load.
import echarts from '@/charts.js'
import { FunnelChart } from 'echarts/charts'

echarts.use([FunnelChart])

export default echarts
