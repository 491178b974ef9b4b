/** A grouped bar chart as a hand-written SVG string: no chart library for two pictures in the docs. */

export interface GroupedBars {
  title: string;
  /** Label of the value axis, for example "requests/s". */
  unit: string;
  /** One group of bars per label along the x axis. */
  groups: string[];
  /** One bar per group for each series; null = not measured. */
  series: Array<{ name: string; values: Array<number | null> }>;
}

const COLORS = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948"];
const MIN_WIDTH = 760;
/** Room per group of bars: charts with many groups grow wider rather than squeeze their labels. */
const GROUP_WIDTH = 110;
const HEIGHT = 380;
const MARGIN = { top: 48, right: 16, bottom: 64, left: 72 };

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** 1, 2 or 5 times a power of ten: axis ticks people can read. */
function niceStep(max: number, ticks: number): number {
  const raw = max / ticks;
  const power = 10 ** Math.floor(Math.log10(raw));
  const scaled = raw / power;
  return (scaled <= 1 ? 1 : scaled <= 2 ? 2 : scaled <= 5 ? 5 : 10) * power;
}

function formatValue(value: number): string {
  if (value >= 10_000) return `${Math.round(value / 100) / 10}k`;
  if (value >= 100) return String(Math.round(value));
  return String(Math.round(value * 100) / 100);
}

export function groupedBarChartSvg(chart: GroupedBars): string {
  const WIDTH = Math.max(MIN_WIDTH, MARGIN.left + MARGIN.right + chart.groups.length * GROUP_WIDTH);
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const values = chart.series.flatMap((s) => s.values).filter((v): v is number => v !== null);
  const step = niceStep(Math.max(1e-9, ...values), 5);
  const top = Math.max(step, Math.ceil(Math.max(0, ...values) / step) * step);
  const y = (value: number) => MARGIN.top + plotHeight - (value / top) * plotHeight;
  const groupWidth = plotWidth / Math.max(1, chart.groups.length);
  const barWidth = (groupWidth * 0.8) / Math.max(1, chart.series.length);
  const parts: string[] = [];

  parts.push(`<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(chart.title)}</text>`);
  for (let tick = 0; tick <= top + step / 2; tick += step) {
    const ty = y(tick).toFixed(1);
    parts.push(`<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${ty}" y2="${ty}" stroke="#ddd"/>`);
    parts.push(
      `<text x="${MARGIN.left - 6}" y="${ty}" text-anchor="end" dominant-baseline="middle" font-size="11">${formatValue(tick)}</text>`,
    );
  }
  parts.push(
    `<text transform="translate(16 ${MARGIN.top + plotHeight / 2}) rotate(-90)" text-anchor="middle" font-size="12">` +
      `${escapeXml(chart.unit)}</text>`,
  );
  chart.groups.forEach((group, g) => {
    const x0 = MARGIN.left + g * groupWidth + groupWidth * 0.1;
    chart.series.forEach((series, s) => {
      const value = series.values[g];
      if (value === null || value === undefined) return;
      const x = x0 + s * barWidth;
      const by = y(value);
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${by.toFixed(1)}" width="${(barWidth - 2).toFixed(1)}" ` +
          `height="${(MARGIN.top + plotHeight - by).toFixed(1)}" fill="${COLORS[s % COLORS.length]}">` +
          `<title>${escapeXml(`${series.name}, ${group}: ${value}`)}</title></rect>`,
      );
      parts.push(
        `<text x="${(x + barWidth / 2 - 1).toFixed(1)}" y="${(by - 3).toFixed(1)}" text-anchor="middle" font-size="9">` +
          `${formatValue(value)}</text>`,
      );
    });
    parts.push(
      `<text x="${(MARGIN.left + (g + 0.5) * groupWidth).toFixed(1)}" y="${MARGIN.top + plotHeight + 18}" ` +
        `text-anchor="middle" font-size="11">${escapeXml(group)}</text>`,
    );
  });
  parts.push(
    `<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" ` +
      `y1="${MARGIN.top + plotHeight}" y2="${MARGIN.top + plotHeight}" stroke="#333"/>`,
  );
  chart.series.forEach((series, s) => {
    const lx = MARGIN.left + s * (plotWidth / chart.series.length);
    const ly = HEIGHT - 18;
    parts.push(`<rect x="${lx.toFixed(1)}" y="${ly - 9}" width="12" height="12" fill="${COLORS[s % COLORS.length]}"/>`);
    parts.push(`<text x="${(lx + 16).toFixed(1)}" y="${ly + 1}" font-size="12">${escapeXml(series.name)}</text>`);
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif">\n<rect width="100%" height="100%" fill="white"/>\n${parts.join("\n")}\n</svg>\n`;
}
