/* etlx docs: the lineage graph page. Node positions come from the generator (dagre, run in
 * Node); a graph too big for that is drawn one selection at a time, laid out here by the same
 * library, inlined into the page. Zoom with the wheel or the buttons, pan by dragging. */
(function () {
  'use strict';
  var X = window.etlx;
  var D = X.D;
  var el = X.el, svg = X.svg;

  function page(selector) {
    var input = el('input', { id: 'graph-select', type: 'search', placeholder: 'Selector: name, +name, name+, tag:x, path:models/marts (Enter)', value: selector, autocomplete: 'off' });
    var count = el('span', { id: 'graph-count', class: 'muted' });
    var info = el('div', { id: 'graph-info', class: 'muted' });
    var svgEl = svg('svg', { id: 'graph', role: 'img', 'aria-label': 'lineage graph' });
    var viewport = svg('g', { id: 'viewport' });
    svgEl.appendChild(defs());
    svgEl.appendChild(viewport);
    var bar = el('div', { class: 'graph-bar' }, [
      input,
      button('Fit', function () { state.fit(); }), button('+', function () { state.zoom(1.25); }), button('−', function () { state.zoom(0.8); }),
      button('Clear', function () { input.value = ''; apply(''); }),
      count,
    ]);
    X.render([el('div', { class: 'graph-page' }, [bar, legend(), el('div', { class: 'graph-wrap' }, [svgEl]), info])], 'graph');
    var state = panZoom(svgEl, viewport);
    var drawn = null;

    function apply(sel) {
      var text = sel.trim();
      var selected = text ? X.evaluateSelector(text) : null;
      var large = !D.graph.layout || D.graph.ids.length > X.DRAW_ALL_LIMIT;
      if (large) {
        if (!selected || selected.size === 0) {
          viewport.replaceChildren();
          count.textContent = D.graph.ids.length + ' nodes: too many to draw at once. Type a selector to draw its part (e.g. +' + (D.graph.ids[0] ? X.byId.get(D.graph.ids[0]).name : 'model') + ').';
          drawn = null;
          return;
        }
        if (selected.size > X.SUBGRAPH_LIMIT) {
          viewport.replaceChildren();
          count.textContent = selected.size + ' nodes selected: narrow the selector to ' + X.SUBGRAPH_LIMIT + ' or fewer to draw them.';
          drawn = null;
          return;
        }
        drawn = draw(viewport, Array.from(selected), layoutHere(Array.from(selected)));
      } else if (!drawn || drawn.sub) {
        drawn = draw(viewport, D.graph.ids, D.graph.layout);
      }
      highlight(drawn, selected);
      count.textContent = selected ? selected.size + ' of ' + D.graph.ids.length + ' nodes selected' : D.graph.ids.length + ' nodes';
      if (selected && selected.size > 0) state.fitTo(drawn, selected); else state.fit();
      var h = '#/graph' + (text ? '?select=' + encodeURIComponent(text) : '');
      if (location.hash !== h) history.replaceState(null, '', h);
    }

    input.addEventListener('keydown', function (e) { if (e.key === 'Enter') apply(input.value); });
    input.addEventListener('change', function () { apply(input.value); });
    svgEl.addEventListener('click', function (e) {
      if (state.dragged()) return;
      var g = e.target.closest && e.target.closest('g.node');
      if (!g) return;
      var n = X.byId.get(g.getAttribute('data-id'));
      input.value = '+' + n.name + '+';
      apply(input.value);
      info.replaceChildren('Selected ', X.nodeLink(n.id), ' (' + n.kind + '): its ancestors and descendants are highlighted. Double-click a node to open its page.');
    });
    svgEl.addEventListener('dblclick', function (e) {
      var g = e.target.closest && e.target.closest('g.node');
      if (g) location.hash = X.nodeHref(g.getAttribute('data-id'));
    });
    apply(selector);
  }

  function button(text, fn) { var b = el('button', { type: 'button', text: text }); b.addEventListener('click', fn); return b; }

  function legend() {
    return el('div', { class: 'legend' }, ['source', 'seed', 'model'].map(function (t) { return el('span', {}, [el('i', { class: 'swatch type-' + t }), t + 's']); }));
  }

  function defs() {
    return svg('defs', {}, [svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: '10', refY: '5', markerWidth: '6', markerHeight: '6', orient: 'auto-start-reverse' }, [svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', fill: '#8a94a6' })])]);
  }

  /** Layout of a selection, computed in the page (only when the generator made no whole-graph layout). */
  function layoutHere(ids) {
    var g = new window.dagre.graphlib.Graph();
    // The generator's settings: the fast ones above 100 nodes (see src/docs/layout.ts).
    var fast = ids.length > 100;
    g.setGraph(Object.assign({ rankdir: 'LR', nodesep: 12, ranksep: 70, marginx: 20, marginy: 20 }, fast ? { ranker: 'longest-path' } : {}));
    g.setDefaultEdgeLabel(function () { return {}; });
    var set = new Set(ids);
    ids.forEach(function (id) { g.setNode(id, { width: X.NODE_W, height: X.NODE_H }); });
    ids.forEach(function (id) { X.byId.get(id).children.forEach(function (c) { if (set.has(c)) g.setEdge(id, c); }); });
    window.dagre.layout(g, fast ? { disableOptimalOrderHeuristic: true } : {});
    var x = [], y = [];
    ids.forEach(function (id) { var p = g.node(id); x.push(p.x); y.push(p.y); });
    var lab = g.graph();
    return { x: x, y: y, width: lab.width, height: lab.height, sub: true };
  }

  function draw(viewport, ids, layout) {
    var pos = new Map();
    ids.forEach(function (id, i) { pos.set(id, { x: layout.x[i], y: layout.y[i] }); });
    var edges = svg('g', { class: 'edges' });
    var nodes = svg('g', { class: 'nodes' });
    var edgeEls = [];
    ids.forEach(function (id) {
      var a = pos.get(id);
      X.byId.get(id).children.forEach(function (c) {
        var b = pos.get(c);
        if (!b) return;
        var x1 = a.x + X.NODE_W / 2, x2 = b.x - X.NODE_W / 2, mx = (x1 + x2) / 2;
        var p = svg('path', { class: 'edge', d: 'M' + x1 + ',' + a.y + ' C' + mx + ',' + a.y + ' ' + mx + ',' + b.y + ' ' + x2 + ',' + b.y, 'marker-end': 'url(#arrow)', 'data-from': id, 'data-to': c });
        edges.appendChild(p);
        edgeEls.push(p);
      });
    });
    var nodeEls = new Map();
    ids.forEach(function (id) {
      var n = X.byId.get(id), p = pos.get(id);
      var label = n.name.length > 24 ? n.name.slice(0, 23) + '…' : n.name;
      var g = svg('g', { class: 'node type-' + n.type, 'data-id': id, transform: 'translate(' + (p.x - X.NODE_W / 2) + ',' + (p.y - X.NODE_H / 2) + ')' }, [
        svg('title', { text: n.name + ' (' + n.kind + ')' }),
        svg('rect', { width: X.NODE_W, height: X.NODE_H, rx: 6 }),
        svg('text', { x: 10, y: 19, text: label }),
      ]);
      nodes.appendChild(g);
      nodeEls.set(id, g);
    });
    viewport.replaceChildren(edges, nodes);
    return { pos: pos, nodeEls: nodeEls, edgeEls: edgeEls, width: layout.width, height: layout.height, sub: Boolean(layout.sub) };
  }

  function highlight(drawn, selected) {
    var active = Boolean(selected);
    drawn.nodeEls.forEach(function (g, id) {
      var on = active && selected.has(id);
      g.classList.toggle('sel', on);
      g.classList.toggle('dim', active && !on);
    });
    drawn.edgeEls.forEach(function (p) {
      var on = active && selected.has(p.getAttribute('data-from')) && selected.has(p.getAttribute('data-to'));
      p.classList.toggle('sel', on);
      p.classList.toggle('dim', active && !on);
    });
  }

  /** Wheel zoom around the pointer, drag to pan; the view is one transform on the viewport group. */
  function panZoom(svgEl, viewport) {
    var t = { x: 0, y: 0, k: 1 };
    var drag = null, moved = false;
    function apply() { viewport.setAttribute('transform', 'translate(' + t.x + ',' + t.y + ') scale(' + t.k + ')'); }
    function zoomAt(f, cx, cy) {
      var k = Math.min(4, Math.max(0.02, t.k * f));
      t.x = cx - (cx - t.x) * (k / t.k);
      t.y = cy - (cy - t.y) * (k / t.k);
      t.k = k;
      apply();
    }
    svgEl.addEventListener('wheel', function (e) {
      e.preventDefault();
      var r = svgEl.getBoundingClientRect();
      zoomAt(e.deltaY < 0 ? 1.15 : 1 / 1.15, e.clientX - r.left, e.clientY - r.top);
    }, { passive: false });
    svgEl.addEventListener('pointerdown', function (e) { drag = { x: e.clientX, y: e.clientY, tx: t.x, ty: t.y }; moved = false; });
    window.addEventListener('pointermove', function (e) {
      if (!drag) return;
      var dx = e.clientX - drag.x, dy = e.clientY - drag.y;
      if (Math.abs(dx) + Math.abs(dy) > 3) moved = true;
      t.x = drag.tx + dx; t.y = drag.ty + dy;
      apply();
    });
    window.addEventListener('pointerup', function () { drag = null; });
    function fitBox(x0, y0, x1, y1) {
      var r = svgEl.getBoundingClientRect();
      var w = Math.max(1, x1 - x0), h = Math.max(1, y1 - y0);
      t.k = Math.min(1.5, Math.max(0.02, Math.min((r.width - 40) / w, (r.height - 40) / h)));
      t.x = (r.width - w * t.k) / 2 - x0 * t.k;
      t.y = (r.height - h * t.k) / 2 - y0 * t.k;
      apply();
    }
    return {
      zoom: function (f) { var r = svgEl.getBoundingClientRect(); zoomAt(f, r.width / 2, r.height / 2); },
      fit: function () { var b = viewport.getBBox(); if (b.width > 0) fitBox(b.x, b.y, b.x + b.width, b.y + b.height); },
      fitTo: function (drawn, ids) {
        var x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
        ids.forEach(function (id) { var p = drawn.pos.get(id); if (!p) return; x0 = Math.min(x0, p.x - X.NODE_W / 2); x1 = Math.max(x1, p.x + X.NODE_W / 2); y0 = Math.min(y0, p.y - X.NODE_H / 2); y1 = Math.max(y1, p.y + X.NODE_H / 2); });
        if (x0 < Infinity) fitBox(x0, y0, x1, y1);
      },
      dragged: function () { return moved; },
    };
  }

  window.etlxGraph = { page: page };
})();
