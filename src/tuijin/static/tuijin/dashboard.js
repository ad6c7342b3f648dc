// Dashboard charts. The data comes from the page (json_script); every chart's numbers can also be
// downloaded as Excel from the link above it.
// Org and indicator names are user data: tooltips are built as DOM text (textContent), never as HTML
// strings, and ECharts' own HTML tooltips (whose markers carry style="" attributes the CSP refuses)
// are replaced by ours.
(function () {
  const read = (id) => JSON.parse(document.getElementById(id).textContent);
  // One tooltip: lines of plain text, each optionally led by a coloured dot.
  const tooltip = (lines) => {
    const box = document.createElement("div");
    for (const line of lines) {
      const row = document.createElement("div");
      if (line.color) {
        const dot = document.createElement("span");
        dot.className = "tj-tooltip-dot";
        dot.style.backgroundColor = line.color;
        row.appendChild(dot);
      }
      row.appendChild(document.createTextNode(line.text));
      box.appendChild(row);
    }
    return box;
  };
  const colors = { "-1": "#e9ecef", 0: "#4caf50", 1: "#f5b400", 2: "#d32f2f" };

  const heat = read("heatmap-data");
  const heatEl = document.getElementById("heatmap");
  if (heatEl && heat.orgs.length) {
    heatEl.style.height = Math.max(260, 60 + heat.orgs.length * 26) + "px";
    // On a phone the columns get at least CELL px each and the chart scrolls sideways inside its card
    // (the page itself never does), with the indicator names upright and the unit names shorter.
    const CELL = 40;
    const room = heatEl.parentElement.clientWidth;
    const narrow = room < 640;
    if (narrow) heatEl.style.width = Math.max(room, 110 + heat.indicators.length * CELL) + "px";
    // A tap on a cell shows its figures (touch has no hover); only a tap on the unit's name opens it.
    const touch = window.matchMedia("(pointer: coarse)").matches;
    const chart = echarts.init(heatEl);
    chart.setOption({
      tooltip: {
        formatter: (p) => {
          const c = p.data.cell;
          const v = c.value === null ? "无数据" : c.value + "%";
          const e = c.expected === null ? "" : "，应达 " + c.expected + "%";
          return tooltip([{ text: heat.orgs[c.y].name },
                          { text: heat.indicators[c.x].name + "：" + v + e + "（" + c.status + "）" }]);
        },
      },
      grid: { left: 8, right: 8, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "category", position: "top", data: heat.indicators.map((i) => i.name),
               axisLabel: { interval: 0, rotate: narrow ? 90 : 30, fontSize: 11, width: 140, overflow: "truncate" } },
      yAxis: { type: "category", inverse: true, data: heat.orgs.map((o) => o.name),
               axisLabel: { fontSize: 11, width: narrow ? 100 : 180, overflow: "truncate" }, triggerEvent: true },
      series: [{
        type: "heatmap",
        data: heat.cells.map((c) => ({ value: [c.x, c.y, c.value], cell: c,
                                        itemStyle: { color: colors[c.level], borderColor: "#fff", borderWidth: 1 } })),
        label: { show: narrow || heat.indicators.length <= 12, formatter: (p) => (p.data.cell.value === null ? "" : p.data.cell.value), fontSize: 10 },
      }],
    });
    const drill = (y) => { window.location.href = "/evaluation/" + encodeURIComponent(heat.orgs[y].code) + "/"; };
    chart.on("click", (p) => {
      if (p.componentType === "yAxis") drill(heat.orgs.findIndex((o) => o.name === p.value));
      else if (p.data && p.data.cell && !touch) drill(p.data.cell.y);
    });
    window.addEventListener("resize", () => chart.resize());
  } else if (heatEl) {
    const note = document.createElement("div");
    note.className = "p-3 text-secondary";
    note.textContent = "没有下级单位。";
    heatEl.replaceWith(note);
  }

  const trend = read("trend-data");
  const trendEl = document.getElementById("trend");
  if (trendEl && trend.dates.length) {
    const chart = echarts.init(trendEl);
    chart.setOption({
      tooltip: {
        trigger: "axis",
        formatter: (items) => tooltip([{ text: items.length ? items[0].axisValueLabel : "" }].concat(items.map((p) => ({
          color: p.color, text: p.seriesName + "：" + (p.value === null || p.value === undefined ? "—" : p.value + "%"),
        })))),
      },
      legend: { type: "scroll", bottom: 0 },
      grid: { left: 40, right: 16, top: 16, bottom: 48 },
      xAxis: { type: "category", data: trend.dates },
      yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
      series: Object.entries(trend.series).map(([code, values]) => ({ name: trend.names[code] || code, type: "line", data: values, connectNulls: true })),
    });
    window.addEventListener("resize", () => chart.resize());
  } else if (trendEl) {
    const note = document.createElement("div");
    note.className = "p-3 text-secondary";
    note.append("还没有快照。每日任务 ", Object.assign(document.createElement("code"), { textContent: "tuijin snapshot" }), " 运行后即有趋势。");
    trendEl.replaceWith(note);
  }
})();
