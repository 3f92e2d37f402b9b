/* etlx docs: the Runs page, from etlx_meta. Charts are plain SVG drawn here: run duration and
 * node statuses per run, and a model's rows and duration over time; failures are listed. */
(function () {
  'use strict';
  var X = window.etlx;
  var D = X.D;
  var el = X.el, svg = X.svg;
  var COLORS = { success: '#2e9d5b', pass: '#2e9d5b', error: '#d64545', fail: '#d64545', warn: '#e0a100', skipped: '#9aa3b2', runtime_error: '#d64545', partial: '#e0a100' };
  var W = 760, H = 220, PAD = { l: 56, r: 44, t: 14, b: 40 };
  /** Bars stay narrow when there are few runs. */
  function barWidth(bw) { return Math.max(1, Math.min(bw * 0.7, 48)); }

  function color(status) { return COLORS[status] || '#5b7bd5'; }

  function axes(g, maxY, labelY, xLabels) {
    var ih = H - PAD.t - PAD.b;
    for (var i = 0; i <= 4; i++) {
      var v = (maxY * i) / 4, y = PAD.t + ih - (ih * i) / 4;
      g.appendChild(svg('line', { x1: PAD.l, x2: W - PAD.r, y1: y, y2: y, class: 'grid' }));
      g.appendChild(svg('text', { x: PAD.l - 6, y: y + 4, 'text-anchor': 'end', class: 'tick', text: fmt(v) }));
    }
    g.appendChild(svg('text', { x: 12, y: PAD.t + ih / 2, class: 'axis-label', transform: 'rotate(-90 12 ' + (PAD.t + ih / 2) + ')', 'text-anchor': 'middle', text: labelY }));
    xLabels.forEach(function (l) { g.appendChild(svg('text', { x: l.x, y: H - PAD.b + 16, 'text-anchor': 'middle', class: 'tick', text: l.text })); });
  }
  function fmt(v) { return v >= 1e6 ? (v / 1e6).toFixed(1) + 'M' : v >= 1e3 ? (v / 1e3).toFixed(1) + 'k' : v >= 10 || v === 0 ? String(Math.round(v)) : v.toFixed(2); }
  function shortTime(iso) { return iso ? iso.slice(5, 16).replace('T', ' ') : ''; }
  function everyNth(n) { return Math.max(1, Math.ceil(n / 8)); }

  /** Bars: one per run, height = elapsed, colour = status. */
  function durationChart(runs) {
    var g = svg('svg', { class: 'chart', id: 'chart-duration', viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'aria-label': 'run duration per run' });
    var max = Math.max.apply(null, runs.map(function (r) { return r.elapsed_s || 0; }).concat([0.001]));
    var iw = W - PAD.l - PAD.r, ih = H - PAD.t - PAD.b, bw = iw / runs.length;
    var labels = [];
    runs.forEach(function (r, i) {
      var h = ((r.elapsed_s || 0) / max) * ih;
      var x = PAD.l + i * bw;
      g.appendChild(svg('rect', { class: 'bar', x: x + (bw - barWidth(bw)) / 2, y: PAD.t + ih - h, width: barWidth(bw), height: Math.max(1, h), fill: color(r.status) }, [svg('title', { text: r.command + ' · ' + r.status + ' · ' + X.fmtSeconds(r.elapsed_s) + ' · ' + X.fmtTime(r.started_at) })]));
      if (i % everyNth(runs.length) === 0) labels.push({ x: x + bw / 2, text: shortTime(r.started_at) });
    });
    axes(g, max, 'seconds', labels);
    return g;
  }

  /** Stacked bars: node results per status in each run. */
  function statusChart(runs) {
    var g = svg('svg', { class: 'chart', id: 'chart-status', viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'aria-label': 'node statuses per run' });
    var per = runs.map(function (r) {
      var counts = {};
      D.history.results.forEach(function (x) { if (x.invocation_id === r.invocation_id) counts[x.status] = (counts[x.status] || 0) + 1; });
      return counts;
    });
    var max = Math.max.apply(null, per.map(function (c) { return Object.values(c).reduce(function (a, b) { return a + b; }, 0); }).concat([1]));
    var iw = W - PAD.l - PAD.r, ih = H - PAD.t - PAD.b, bw = iw / runs.length;
    var labels = [];
    per.forEach(function (counts, i) {
      var y = PAD.t + ih, x = PAD.l + i * bw;
      Object.keys(counts).sort().forEach(function (st) {
        var h = (counts[st] / max) * ih;
        y -= h;
        g.appendChild(svg('rect', { class: 'bar', x: x + (bw - barWidth(bw)) / 2, y: y, width: barWidth(bw), height: h, fill: color(st) }, [svg('title', { text: st + ': ' + counts[st] })]));
      });
      if (i % everyNth(runs.length) === 0) labels.push({ x: x + bw / 2, text: shortTime(runs[i].started_at) });
    });
    axes(g, max, 'nodes', labels);
    return g;
  }

  /** A model's rows (line) and duration (dots) over its runs. */
  function modelChart(id) {
    var rs = D.history.results.filter(function (r) { return r.unique_id === id; });
    var g = svg('svg', { class: 'chart', id: 'chart-model', viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'aria-label': 'rows per run' });
    if (rs.length === 0) return g;
    var max = Math.max.apply(null, rs.map(function (r) { return r.rows_affected || 0; }).concat([1]));
    var iw = W - PAD.l - PAD.r, ih = H - PAD.t - PAD.b;
    var step = rs.length > 1 ? iw / (rs.length - 1) : 0;
    var pts = rs.map(function (r, i) { return [PAD.l + (rs.length > 1 ? i * step : iw / 2), PAD.t + ih - ((r.rows_affected || 0) / max) * ih]; });
    g.appendChild(svg('polyline', { class: 'line', points: pts.map(function (p) { return p.join(','); }).join(' ') }));
    var labels = [];
    rs.forEach(function (r, i) {
      g.appendChild(svg('circle', { cx: pts[i][0], cy: pts[i][1], r: 4, fill: color(r.status) }, [svg('title', { text: (r.rows_affected === null ? 'no row count' : r.rows_affected + ' rows') + ' · ' + r.status + ' · ' + X.fmtSeconds(r.elapsed_s) + ' · ' + X.fmtTime(r.started_at) })]));
      if (i % everyNth(rs.length) === 0) labels.push({ x: pts[i][0], text: shortTime(r.started_at) });
    });
    axes(g, max, 'rows', labels);
    return g;
  }

  function page() {
    var runs = D.history.invocations;
    if (runs.length === 0) {
      X.render([el('h1', { text: 'Runs' }), el('p', { class: 'muted', text: 'No runs recorded in etlx_meta yet: run etlx build, then etlx docs generate.' })], 'runs');
      return;
    }
    var models = Array.from(new Set(D.history.results.filter(function (r) { return r.resource_type === 'model' || r.resource_type === 'seed'; }).map(function (r) { return r.unique_id; })));
    models.sort(function (a, b) { return (X.byId.get(a) ? X.byId.get(a).name : a) < (X.byId.get(b) ? X.byId.get(b).name : b) ? -1 : 1; });
    // Start with the model that moves the most rows: the most telling chart.
    var rowsOf = function (id) { return D.history.results.reduce(function (a, r) { return r.unique_id === id ? Math.max(a, r.rows_affected || 0) : a; }, 0); };
    var first = models.slice().sort(function (a, b) { return rowsOf(b) - rowsOf(a); })[0];
    var pick = el('select', { id: 'model-pick' }, models.map(function (id) { return el('option', { value: id, text: X.byId.get(id) ? X.byId.get(id).name : id }); }));
    var holder = el('div', { id: 'model-chart' });
    function showModel() { holder.replaceChildren(modelChart(pick.value), modelTable(pick.value)); }
    if (first) pick.value = first;
    pick.addEventListener('change', showModel);
    var failures = D.history.results.filter(function (r) { return ['error', 'fail', 'runtime_error', 'warn'].indexOf(r.status) >= 0; }).slice().reverse();
    X.render([
      el('div', { class: 'page-head' }, [el('h1', { text: 'Runs' }), el('p', { class: 'muted', text: runs.length + ' runs from etlx_meta, oldest first. Last: ' + runs[runs.length - 1].command + ' ' + runs[runs.length - 1].status + ' at ' + X.fmtTime(runs[runs.length - 1].started_at) })]),
      X.section('Duration per run', [durationChart(runs), statusLegend()]),
      X.section('Node statuses per run', [statusChart(runs)]),
      X.section('Rows and duration per model', [el('p', {}, ['Model: ', pick]), holder]),
      X.section('Failures', [failureTable(failures)], 'failures'),
      X.section('Recent runs', [runTable(runs.slice().reverse().slice(0, 30))]),
    ], 'runs');
    if (models.length > 0) showModel();
  }

  function statusLegend() {
    return el('div', { class: 'legend' }, ['success', 'warn', 'error', 'skipped'].map(function (s) { return el('span', {}, [el('i', { class: 'swatch', style: 'background:' + color(s) }), s]); }));
  }

  function table(head, rows) {
    return el('table', { class: 'runs' }, [el('thead', {}, [el('tr', {}, head.map(function (h) { return el('th', { text: h }); }))]), el('tbody', {}, rows)]);
  }
  function modelTable(id) {
    var rs = D.history.results.filter(function (r) { return r.unique_id === id; }).slice().reverse().slice(0, 20);
    return table(['Started', 'Status', 'Duration', 'Rows'], rs.map(function (r) {
      return el('tr', {}, [el('td', { text: X.fmtTime(r.started_at) }), el('td', {}, [X.badge(r.status, 'st-' + r.status)]), el('td', { text: X.fmtSeconds(r.elapsed_s) }), el('td', { text: r.rows_affected === null ? '' : String(r.rows_affected) })]);
    }));
  }
  function failureTable(rs) {
    if (rs.length === 0) return el('p', { class: 'muted', text: 'No failures in the recorded runs.' });
    return table(['Started', 'Node', 'Status', 'Message'], rs.map(function (r) {
      return el('tr', {}, [el('td', { text: X.fmtTime(r.started_at) }), el('td', {}, [X.byId.get(r.unique_id) ? X.nodeLink(r.unique_id) : r.name]), el('td', {}, [X.badge(r.status, 'st-' + r.status)]), el('td', { class: 'msg', text: r.message || '' })]);
    }));
  }
  function runTable(runs) {
    return table(['Started', 'Command', 'Status', 'Duration', 'Nodes', 'Target'], runs.map(function (r) {
      return el('tr', {}, [el('td', { text: X.fmtTime(r.started_at) }), el('td', { text: r.command }), el('td', {}, [X.badge(r.status, 'st-' + r.status)]), el('td', { text: X.fmtSeconds(r.elapsed_s) }), el('td', { text: r.nodes === null ? '' : String(r.nodes) }), el('td', { text: r.target })]);
    }));
  }

  window.etlxRuns = { page: page };
})();
