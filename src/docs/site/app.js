/* etlx docs: the page's script. Plain browser JavaScript, no modules and no network: the build
 * inlines it into target/docs/index.html next to the project data. */
(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('etlx-data').textContent);
  var byId = new Map(D.nodes.map(function (n) { return [n.id, n]; }));
  var graphNodes = D.graph.ids.map(function (id) { return byId.get(id); });
  var main = document.getElementById('main');
  var search = document.getElementById('search');
  /** Above this many graph nodes, only a selection is drawn. */
  var DRAW_ALL_LIMIT = 3000;
  var SUBGRAPH_LIMIT = 250;
  var LIST_CHUNK = 300;
  var NODE_W = 180, NODE_H = 30;
  var SVGNS = 'http://www.w3.org/2000/svg';

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) {
      if (k === 'text') e.textContent = attrs[k];
      else if (k === 'class') e.className = attrs[k];
      else e.setAttribute(k, attrs[k]);
    }
    (children || []).forEach(function (c) { if (c !== null && c !== undefined) e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return e;
  }
  function svg(tag, attrs, children) {
    var e = document.createElementNS(SVGNS, tag);
    for (var k in attrs || {}) {
      if (k === 'text') e.textContent = attrs[k];
      else e.setAttribute(k, attrs[k]);
    }
    (children || []).forEach(function (c) { if (c) e.appendChild(c); });
    return e;
  }
  function nodeHref(id, col) { return '#/node/' + encodeURIComponent(id) + (col ? '?col=' + encodeURIComponent(col) : ''); }
  function nodeLink(id, label) {
    var n = byId.get(id);
    return el('a', { href: nodeHref(id), class: 'node-link', 'data-id': id, text: label || (n ? n.name : id) });
  }
  function badge(text, cls) { return el('span', { class: 'badge ' + (cls || ''), text: text }); }
  function section(title, children, id) { return el('section', id ? { id: id } : {}, [el('h2', { text: title })].concat(children)); }
  function fmtSeconds(s) { return s === null || s === undefined ? '' : s < 1 ? Math.round(s * 1000) + ' ms' : s.toFixed(2) + ' s'; }
  function fmtTime(iso) { return iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : ''; }

  // ---------------------------------------------------------------- selectors
  /** dbt's selector forms the page understands: name (globs), +name, name+, 2+name, tag:, path:, source:, type:; space = union, comma = intersection. */
  function evaluateSelector(text) {
    var terms = text.trim().split(/\s+/).filter(Boolean);
    var out = new Set();
    terms.forEach(function (term) {
      var parts = term.split(',');
      var acc = null;
      parts.forEach(function (p) {
        var s = atom(p);
        acc = acc === null ? s : new Set(Array.from(acc).filter(function (x) { return s.has(x); }));
      });
      (acc || new Set()).forEach(function (x) { out.add(x); });
    });
    return out;
  }
  function glob(pattern) {
    var re = pattern.toLowerCase().replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
    return new RegExp('^' + re + '$');
  }
  function atom(p) {
    var m = /^(\d*\+)?(.*?)(\+\d*)?$/.exec(p);
    var up = m[1], body = m[2], down = m[3];
    var method = 'name', value = body;
    var colon = body.indexOf(':');
    if (colon > 0) { method = body.slice(0, colon); value = body.slice(colon + 1); }
    var v = value.toLowerCase();
    var base = graphNodes.filter(function (n) {
      switch (method) {
        case 'tag': return n.tags.some(function (t) { return glob(v).test(t.toLowerCase()); });
        case 'path': var path = n.path.toLowerCase(); var q = v.replace(/\/+$/, ''); return path === q || path.indexOf(q + '/') === 0 || glob(v).test(path);
        case 'source': return n.type === 'source' && (glob(v).test(n.name.toLowerCase()) || glob(v).test(n.name.split('.')[0].toLowerCase()));
        case 'type': case 'resource_type': return n.type === v;
        case 'config.materialized': return n.kind === v;
        default: return glob(v).test(n.name.toLowerCase()) || n.id.toLowerCase() === v;
      }
    }).map(function (n) { return n.id; });
    var set = new Set(base);
    if (up) walk(base, 'parents', up.length > 1 ? Number(up.slice(0, -1)) : Infinity, set);
    if (down) walk(base, 'children', down.length > 1 ? Number(down.slice(1)) : Infinity, set);
    return set;
  }
  function walk(start, dir, depth, into) {
    var frontier = start.slice();
    for (var d = 0; d < depth && frontier.length > 0; d++) {
      var next = [];
      frontier.forEach(function (id) {
        (byId.get(id)[dir] || []).forEach(function (x) {
          var n = byId.get(x);
          if (n && n.g !== undefined && !into.has(x)) { into.add(x); next.push(x); }
        });
      });
      frontier = next;
    }
  }

  // ---------------------------------------------------------------- pages
  function landing(filter) {
    var q = (filter || '').toLowerCase();
    var match = function (n) {
      return !q || n.name.toLowerCase().indexOf(q) >= 0 || n.id.toLowerCase().indexOf(q) >= 0 || n.tags.some(function (t) { return t.toLowerCase().indexOf(q) >= 0; }) || n.description.toLowerCase().indexOf(q) >= 0;
    };
    var groups = [['model', 'Models'], ['seed', 'Seeds'], ['source', 'Sources'], ['test', 'Tests']];
    var shown = 0;
    var lists = groups.map(function (g) {
      var items = D.nodes.filter(function (n) { return n.type === g[0] && match(n); });
      shown += items.length;
      if (items.length === 0) return null;
      // Lists in chunks that the browser lays out only when scrolled to (content-visibility):
      // 10,000 names in one list took about 6 s to first paint, in chunks under 1 s.
      var chunks = [];
      for (var i = 0; i < items.length; i += LIST_CHUNK) chunks.push(el('ul', { class: 'node-list' }, items.slice(i, i + LIST_CHUNK).map(function (n) {
        return el('li', { 'data-id': n.id }, [nodeLink(n.id), ' ', badge(n.kind), n.description ? el('span', { class: 'muted', text: ' ' + n.description.split('\n')[0] }) : null]);
      })));
      return section(g[1] + ' (' + items.length + ')', chunks);
    });
    var head = el('div', { class: 'page-head' }, [
      el('h1', { text: D.project }),
      el('p', { class: 'muted', text: D.nodes.length + ' nodes · target ' + D.target + ' · generated ' + fmtTime(D.generated_at) + (q ? ' · ' + shown + ' match "' + filter + '"' : '') }),
    ]);
    render([head].concat(lists.filter(Boolean)), 'nodes');
  }

  function nodePage(id, col) {
    var n = byId.get(id);
    if (!n) return render([el('h1', { text: 'No such node' }), el('p', { text: id })], 'nodes');
    var head = el('div', { class: 'page-head' }, [
      el('h1', { text: n.name }),
      el('p', {}, [badge(n.type, 'type-' + n.type), ' ', badge(n.kind)].concat(n.tags.map(function (t) { return badge('tag:' + t, 'tag'); }))),
      el('p', { class: 'muted', text: n.id + ' · ' + n.path + (n.relation ? ' · ' + n.relation : '') }),
      n.g !== undefined ? el('p', {}, [el('a', { href: '#/graph?select=' + encodeURIComponent('+' + n.name + '+'), class: 'button', text: 'Show in the lineage graph' })]) : null,
    ]);
    var parts = [head];
    parts.push(section('Description', [el('p', { class: n.description ? '' : 'muted', text: n.description || 'No description.' })]));
    if (D.lineage_notes[n.id]) parts.push(el('p', { class: 'note', text: 'Column lineage: ' + D.lineage_notes[n.id] }));
    parts.push(section('Columns', [columnsTable(n, col)], 'columns'));
    parts.push(section('Depends on', [relList(n.parents)]));
    parts.push(section('Used by', [relList(n.children)]));
    parts.push(section('Last runs', [lastRuns(n)]));
    parts.push(section('Config', [el('pre', { class: 'code', text: JSON.stringify(n.config, null, 2) })]));
    if (n.raw !== undefined) parts.push(section('Source SQL', [el('pre', { class: 'code', id: 'raw-sql', text: n.raw })]));
    if (n.compiled !== undefined) parts.push(section('Compiled SQL', [el('pre', { class: 'code', id: 'compiled-sql', text: n.compiled })]));
    render(parts, 'nodes');
    if (col) {
      var row = document.querySelector('tr[data-column="' + CSS.escape(col.toLowerCase()) + '"]');
      if (row) { row.classList.add('target'); row.scrollIntoView({ block: 'center' }); }
    } else window.scrollTo(0, 0);
  }

  function columnsTable(n, col) {
    if (n.columns.length === 0) return el('p', { class: 'muted', text: 'No columns known (not built yet, or not described).' });
    var rows = n.columns.map(function (c) {
      var lin;
      if (c.note) lin = el('span', { class: 'note', text: c.note });
      else if (!c.lineage) lin = el('span', { class: 'muted', text: '' });
      else if (c.lineage.length === 0) lin = el('span', { class: 'muted', text: 'no upstream column' });
      else lin = el('ul', { class: 'lineage' }, c.lineage.map(function (l) {
        var up = byId.get(l.node);
        return el('li', {}, [el('a', { href: nodeHref(l.node, l.column), class: 'lineage-link', 'data-node': l.node, 'data-column': l.column, text: (up ? up.name : l.node) + '.' + l.column }), ' ', badge(l.direct ? 'copied' : 'computed', l.direct ? 'direct' : 'computed')]);
      }));
      return el('tr', { 'data-column': c.name.toLowerCase(), class: col && col.toLowerCase() === c.name.toLowerCase() ? 'target' : '' }, [
        el('td', { class: 'colname', text: c.name }), el('td', { text: c.type || '' }), el('td', { text: c.description || '' }),
        el('td', {}, c.tests.map(function (t) { return badge(t, 'test'); })), el('td', {}, [lin]),
      ]);
    });
    return el('table', { class: 'columns' }, [el('thead', {}, [el('tr', {}, ['Column', 'Type', 'Description', 'Tests', 'Upstream columns'].map(function (h) { return el('th', { text: h }); }))]), el('tbody', {}, rows)]);
  }

  function relList(ids) {
    if (ids.length === 0) return el('p', { class: 'muted', text: 'None.' });
    return el('ul', { class: 'rel-list' }, ids.map(function (id) { var x = byId.get(id); return el('li', {}, [nodeLink(id), ' ', x ? badge(x.kind) : null]); }));
  }

  function lastRuns(n) {
    var rs = D.history.results.filter(function (r) { return r.unique_id === n.id; }).slice(-10).reverse();
    if (rs.length === 0) return el('p', { class: 'muted', text: 'No runs recorded in etlx_meta.' });
    return el('table', { class: 'runs' }, [
      el('thead', {}, [el('tr', {}, ['Started', 'Status', 'Duration', 'Rows', 'Message'].map(function (h) { return el('th', { text: h }); }))]),
      el('tbody', {}, rs.map(function (r) {
        return el('tr', {}, [el('td', { text: fmtTime(r.started_at) }), el('td', {}, [badge(r.status, 'st-' + r.status)]), el('td', { text: fmtSeconds(r.elapsed_s) }), el('td', { text: r.rows_affected === null ? '' : String(r.rows_affected) }), el('td', { class: 'msg', text: r.message || '' })]);
      })),
    ]);
  }

  function render(children, nav) {
    main.replaceChildren.apply(main, children);
    window.scrollTo(0, 0);
    document.querySelectorAll('[data-nav]').forEach(function (a) { a.classList.toggle('active', a.getAttribute('data-nav') === nav); });
  }

  // ---------------------------------------------------------------- router
  function route() {
    var h = location.hash || '#/';
    var q = h.indexOf('?');
    var pathPart = q >= 0 ? h.slice(1, q) : h.slice(1);
    var params = new URLSearchParams(q >= 0 ? h.slice(q + 1) : '');
    if (pathPart.indexOf('/node/') === 0) return nodePage(decodeURIComponent(pathPart.slice(6)), params.get('col'));
    if (pathPart === '/graph') return window.etlxGraph.page(params.get('select') || '');
    if (pathPart === '/runs') return window.etlxRuns.page();
    return landing(params.get('q') || search.value);
  }
  var typing = null;
  search.addEventListener('input', function () {
    if (location.hash.indexOf('#/node') === 0 || location.hash.indexOf('#/graph') === 0 || location.hash.indexOf('#/runs') === 0) history.replaceState(null, '', '#/');
    // Re-rendering a long list per keystroke would lag on big projects: wait for a pause.
    clearTimeout(typing);
    typing = setTimeout(function () { landing(search.value); }, D.nodes.length > 2000 ? 200 : 0);
  });
  window.addEventListener('hashchange', route);

  window.etlx = { D: D, byId: byId, graphNodes: graphNodes, el: el, svg: svg, badge: badge, section: section, render: render, nodeLink: nodeLink, nodeHref: nodeHref, evaluateSelector: evaluateSelector, fmtSeconds: fmtSeconds, fmtTime: fmtTime, DRAW_ALL_LIMIT: DRAW_ALL_LIMIT, SUBGRAPH_LIMIT: SUBGRAPH_LIMIT, NODE_W: NODE_W, NODE_H: NODE_H };
  window.addEventListener('DOMContentLoaded', route);
  if (document.readyState !== 'loading') setTimeout(route, 0);
})();
