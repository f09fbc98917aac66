// charts.js — the slice of ECharts the UI uses. Imported only dynamically
// (see components/StateChart.vue), so ECharts stays out of the first load.
import * as echarts from 'echarts/core'
import { PieChart, BarChart } from 'echarts/charts'
import { TooltipComponent, LegendComponent, GridComponent } from 'echarts/components'
import { CanvasRenderer } from 'echarts/renderers'

echarts.use([PieChart, BarChart, TooltipComponent, LegendComponent, GridComponent, CanvasRenderer])

export default echarts
