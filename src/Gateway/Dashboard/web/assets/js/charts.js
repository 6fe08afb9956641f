// Stacked bar charts, one stack segment per key, drawn by Chart.js (vendored from npm at build time).

const palette = ['#3d4fd6', '#e07a1f', '#1f9d74', '#c2417a', '#7a5af5', '#2a8fc7', '#a3a012', '#8c5a3c'];

/** Draws `series` ([{ label, data }]) over `labels` on `canvas`, replacing any earlier chart. */
export function drawStackedBars(canvas, labels, series) {
  const { Chart } = window;
  Chart.getChart(canvas)?.destroy();
  return new Chart(canvas, {
    type: 'bar',
    data: {
      labels,
      datasets: series.map((s, i) => ({
        label: s.label,
        data: s.data,
        backgroundColor: palette[i % palette.length],
        stack: 'total',
      })),
    },
    options: {
      // Numbers, not motion: redraws on refresh should not animate.
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      interaction: { mode: 'index', intersect: false },
      scales: {
        x: { stacked: true, ticks: { maxRotation: 0, autoSkipPadding: 12 } },
        y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } },
      },
      plugins: { legend: { position: 'bottom' } },
    },
  });
}
