// The HTML report's drawing script: plain SVG through the DOM, no libraries.
#include "profiler/report_html_script.h"

namespace hetero::profiler {

const char kReportScript[] = R"JS(
(function () {
  const data = JSON.parse(document.getElementById('data').textContent);
  const NS = 'http://www.w3.org/2000/svg';
  const palette = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf',
                   '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22'];
  const deviceColor = {};
  data.devices.forEach((d, i) => { deviceColor[d.name] = palette[i % palette.length]; });
  function el(name, attrs, parent, text) {
    const e = document.createElementNS(NS, name);
    for (const k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    if (parent) parent.appendChild(e);
    return e;
  }
  function svg(id, w, h) {
    const s = el('svg', {width: w, height: h, viewBox: '0 0 ' + w + ' ' + h, 'class': 'chart'});
    document.getElementById(id).appendChild(s);
    return s;
  }
  function label(r) { return r.label + (r.simulated ? ' (simulated)' : ''); }
  function colorOf(r) {
    const first = r.label.split(/[+ ]/)[0];
    return deviceColor[first] || '#444';
  }
  function percentile(sorted, p) {
    if (!sorted.length) return 0;
    const rank = p / 100 * (sorted.length - 1), lo = Math.floor(rank);
    const hi = Math.min(lo + 1, sorted.length - 1);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
  }
  let drawn = 0;

  function drawLatency() {
    const rows = data.results, left = 240, w = 960, rowH = 50;
    const s = svg('latency', w, rows.length * rowH + 50);
    let max = 0;
    rows.forEach(r => r.samples.forEach(v => { max = Math.max(max, v); }));
    max = max > 0 ? max * 1.05 : 1;
    const x = v => left + (w - left - 20) * v / max;
    let marks = 0;
    rows.forEach((r, i) => {
      const y = 20 + i * rowH + rowH / 2;
      el('text', {x: 4, y: y + 4, 'font-size': 12, fill: r.simulated ? '#a40' : '#000'}, s,
         label(r) + ' [' + r.metric + ']');
      r.samples.forEach((v, k) => {
        el('circle', {cx: x(v), cy: y - 12 + (k * 7919 % 24), r: 2, fill: colorOf(r),
                      'fill-opacity': 0.5, 'class': 'sample'}, s);
        marks++;
      });
      const sorted = r.samples.slice().sort((a, b) => a - b);
      [50, 90, 99].forEach(p => {
        const px = x(percentile(sorted, p));
        el('line', {x1: px, x2: px, y1: y - 16, y2: y + 16, stroke: '#000',
                    'stroke-width': p === 50 ? 2 : 1, 'class': 'p' + p}, s);
      });
    });
    for (let t = 0; t <= 4; t++) {
      const v = max * t / 4;
      el('text', {x: x(v) - 10, y: rows.length * rowH + 40, 'font-size': 11}, s, v.toPrecision(3));
    }
    el('text', {x: w - 60, y: rows.length * rowH + 40, 'font-size': 11}, s, 'ms');
    s.setAttribute('data-marks', marks);
    drawn++;
  }

  function drawOps() {
    const rows = data.results, left = 240, w = 960, rowH = 34;
    const ops = [];
    rows.forEach(r => r.ops.forEach(o => { if (!ops.includes(o[0])) ops.push(o[0]); }));
    const s = svg('ops', w, rows.length * rowH + 40 + Math.ceil(ops.length / 6) * 18);
    let marks = 0;
    rows.forEach((r, i) => {
      const y = 10 + i * rowH;
      el('text', {x: 4, y: y + 16, 'font-size': 12}, s, label(r));
      const total = r.ops.reduce((a, o) => a + o[1], 0);
      let at = left;
      r.ops.forEach(o => {
        const width = total > 0 ? (w - left - 20) * o[1] / total : 0;
        const rect = el('rect', {x: at, y: y, width: Math.max(width, 0), height: rowH - 10,
                                 fill: palette[ops.indexOf(o[0]) % palette.length],
                                 'class': 'op-bar'}, s);
        el('title', {}, rect, o[0] + ': ' + o[1].toFixed(4) + ' ms');
        at += width;
        marks++;
      });
    });
    ops.forEach((op, k) => {
      const lx = left + (k % 6) * 120, ly = rows.length * rowH + 24 + Math.floor(k / 6) * 18;
      el('rect', {x: lx, y: ly - 10, width: 10, height: 10,
                  fill: palette[k % palette.length]}, s);
      el('text', {x: lx + 14, y: ly, 'font-size': 11}, s, op);
    });
    s.setAttribute('data-marks', marks);
    drawn++;
  }

  function drawRoofline() {
    const w = 960, h = 480, left = 70, bottom = 40;
    const s = svg('roofline', w, h);
    let ymax = 1;
    data.devices.forEach(d => { ymax = Math.max(ymax, d.peak, d.mpeak); });
    data.results.forEach(r => r.points.forEach(p => { ymax = Math.max(ymax, p.y); }));
    const xmin = 0.01, xmax = 1000, ymin = 0.001;
    const lx = v => left + (w - left - 20) * Math.log10(Math.max(v, xmin) / xmin) / Math.log10(xmax / xmin);
    const ly = v => h - bottom - (h - bottom - 20) * Math.log10(Math.max(v, ymin) / ymin) /
                    Math.log10(ymax * 2 / ymin);
    let marks = 0;
    data.devices.forEach((d, i) => {
      [[d.peak, d.bw, ''], [d.mpeak, d.mbw, '6,4']].forEach(([peak, bw, dash]) => {
        if (!(peak > 0 && bw > 0)) return;
        const pts = [];
        for (let e = -2; e <= 3.001; e += 0.05) {
          const xv = Math.pow(10, e);
          pts.push(lx(xv) + ',' + ly(Math.min(peak, bw * xv)));
        }
        el('polyline', {points: pts.join(' '), fill: 'none', stroke: deviceColor[d.name],
                        'stroke-width': 2, 'stroke-dasharray': dash, 'class': 'roof'}, s);
        marks++;
      });
      el('text', {x: left + 10, y: 20 + i * 16, 'font-size': 12, fill: deviceColor[d.name]}, s,
         d.name + (d.simulated ? ' (simulated)' : '') + ' — solid: datasheet, dashed: measured');
    });
    data.results.forEach(r => r.points.forEach(p => {
      const c = el('circle', {cx: lx(p.x), cy: ly(p.y), r: 3, fill: deviceColor[p.d] || '#444',
                              'fill-opacity': 0.7, 'class': 'op-point'}, s);
      el('title', {}, c, r.label + ': ' + p.n + ' ' + p.y.toPrecision(3) + ' GFLOP/s');
      marks++;
    }));
    el('text', {x: w / 2 - 80, y: h - 8, 'font-size': 12}, s, 'arithmetic intensity (FLOP/byte)');
    el('text', {x: 4, y: 14, 'font-size': 12}, s, 'GFLOP/s');
    for (let v = ymin; v <= ymax * 2; v *= 10) {
      el('text', {x: 4, y: ly(v) + 4, 'font-size': 11}, s, String(+v.toPrecision(1)));
    }
    [0.01, 0.1, 1, 10, 100, 1000].forEach(v => {
      el('text', {x: lx(v) - 8, y: h - bottom + 16, 'font-size': 11}, s, String(v));
    });
    s.setAttribute('data-marks', marks);
    drawn++;
  }

  drawLatency();
  drawOps();
  drawRoofline();
  document.body.setAttribute('data-rendered', String(drawn));
})();
)JS";

}  // namespace hetero::profiler
