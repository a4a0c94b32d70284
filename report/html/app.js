// sascan HTML report: the findings table, the ServiceAccount pages and the
// attack-path graphs. Plain JavaScript, no library; every text from the
// report goes into the page as text nodes (never as HTML).
(function () {
  'use strict';

  var SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'];
  var SEV_RANK = { critical: 0, high: 1, medium: 2, low: 3, info: 4 };
  var PAGE_SIZE = 100;
  var CLUSTER_SCOPED = ' cluster-scoped'; // no namespace is spelled with a space
  var GRAPH_PATHS = 25; // paths merged into one graph on a ServiceAccount page
  var SVG = 'http://www.w3.org/2000/svg';

  var data, F, R;
  var accountByKey = new Map();
  var accountOfFinding = []; // finding index -> account key, where one is known
  var searchText = [];
  var state = { sev: '', rule: '', ns: '', q: '', sup: false, sort: '', dir: 1, page: 0 };
  var view = [];
  var openDetail = -1;

  // ---- small DOM helpers -------------------------------------------------

  function el(tag, attrs) {
    var e = document.createElement(tag);
    if (attrs) {
      for (var k in attrs) {
        if (k === 'text') e.textContent = attrs[k];
        else if (k === 'className') e.className = attrs[k];
        else e.setAttribute(k, attrs[k]);
      }
    }
    for (var i = 2; i < arguments.length; i++) {
      var kid = arguments[i];
      if (kid === null || kid === undefined) continue;
      e.append(kid);
    }
    return e;
  }

  function svg(tag, attrs) {
    var e = document.createElementNS(SVG, tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    return e;
  }

  function $(id) { return document.getElementById(id); }

  function saHref(key) {
    var i = key.indexOf('/');
    return '#sa/' + encodeURIComponent(key.slice(0, i)) + '/' + encodeURIComponent(key.slice(i + 1));
  }

  function saLink(key, text) { return el('a', { href: saHref(key), text: text || key }); }

  function sevBadge(s) { return el('span', { className: 'sev ' + s, text: s }); }

  function objectText(f) { return f.k + ' ' + (f.ns ? f.ns + '/' : '') + f.n; }

  function locationText(f) {
    if (f.cl) return f.cl;
    if (!f.f) return '-';
    return f.ln ? f.f + ':' + f.ln : f.f;
  }

  function title(f) { return f.t !== undefined ? f.t : (R[f.r] || {}).title || ''; }

  function fmt(n) { return n.toLocaleString('en-US'); }

  // ---- data ------------------------------------------------------------

  function load() {
    data = JSON.parse($('sascan-data').textContent);
    F = data.findings;
    R = data.rules;
    data.accounts.forEach(function (a) {
      accountByKey.set(a.key, a);
      ['permissions', 'holders', 'pathsFrom', 'other'].forEach(function (part) {
        (a[part] || []).forEach(function (i) { accountOfFinding[i] = a.key; });
      });
    });
  }

  function textOf(i) {
    var t = searchText[i];
    if (t === undefined) {
      var f = F[i];
      t = [f.r, title(f), f.m, f.k, f.ns || '', f.n, f.f || '', f.cl || '', f.p || ''].join('\n').toLowerCase();
      searchText[i] = t;
    }
    return t;
  }

  // ---- the findings table ------------------------------------------------

  var sortKeys = {
    s: function (f) { return SEV_RANK[f.s]; },
    r: function (f) { return f.r; },
    k: function (f) { return f.k; },
    ns: function (f) { return f.ns || ''; },
    n: function (f) { return f.n; },
    loc: function (f) { return locationText(f); },
    m: function (f) { return f.m; }
  };

  // Names compare as people read them: sa-992 before sa-9896.
  var collator = new Intl.Collator('en', { numeric: true });
  function compare(a, b) {
    if (a === b) return 0;
    if (typeof a === 'number') return a - b;
    return collator.compare(a, b);
  }

  function fillFilters() {
    var rules = Object.keys(R).sort();
    var rsel = $('f-rule');
    rules.forEach(function (id) { rsel.append(el('option', { value: id, text: id + ' ' + R[id].title })); });
    var nss = new Set();
    var cluster = false;
    for (var i = 0; i < F.length; i++) {
      if (F[i].ns) nss.add(F[i].ns); else cluster = true;
    }
    var nsel = $('f-ns');
    if (cluster) nsel.append(el('option', { value: CLUSTER_SCOPED, text: '(cluster-scoped)' }));
    Array.from(nss).sort().forEach(function (ns) { nsel.append(el('option', { value: ns, text: ns })); });
  }

  function applyFilters(keepPage) {
    var q = state.q.trim().toLowerCase();
    var out = [];
    for (var i = 0; i < F.length; i++) {
      var f = F[i];
      if (f.sup && !state.sup) continue;
      if (state.sev && f.s !== state.sev) continue;
      if (state.rule && f.r !== state.rule) continue;
      if (state.ns) {
        if (state.ns === CLUSTER_SCOPED ? f.ns : f.ns !== state.ns) continue;
      }
      if (q && textOf(i).indexOf(q) < 0) continue;
      out.push(i);
    }
    if (state.sort) {
      var key = sortKeys[state.sort];
      var keys = new Map();
      out.forEach(function (i) { keys.set(i, key(F[i])); });
      var dir = state.dir;
      out.sort(function (a, b) { return compare(keys.get(a), keys.get(b)) * dir || a - b; });
    }
    view = out;
    if (!keepPage) state.page = 0;
    openDetail = -1;
    renderTable();
  }

  function pages() { return Math.max(1, Math.ceil(view.length / PAGE_SIZE)); }

  function renderTable() {
    state.page = Math.min(Math.max(state.page, 0), pages() - 1);
    var start = state.page * PAGE_SIZE;
    var end = Math.min(view.length, start + PAGE_SIZE);
    var tbody = $('findings-table').tBodies[0];
    var rows = document.createDocumentFragment();
    for (var j = start; j < end; j++) rows.append(findingRow(view[j]));
    tbody.replaceChildren(rows);
    var shown = F.length - (state.sup ? 0 : data.suppressed);
    $('f-status').textContent = view.length === 0 ? 'No finding matches.' :
      'Findings ' + fmt(start + 1) + '–' + fmt(end) + ' of ' + fmt(view.length) +
      (view.length !== shown ? ' (filtered from ' + fmt(shown) + ')' : '');
    $('f-status').setAttribute('data-count', String(view.length));
    $('p-info').textContent = 'page ' + fmt(state.page + 1) + ' of ' + fmt(pages());
    $('p-first').disabled = $('p-prev').disabled = state.page === 0;
    $('p-next').disabled = $('p-last').disabled = state.page >= pages() - 1;
    var ths = $('findings-table').tHead.rows[0].cells;
    for (var c = 0; c < ths.length; c++) {
      var k = ths[c].getAttribute('data-sort');
      if (k === state.sort) ths[c].setAttribute('aria-sort', state.dir > 0 ? 'ascending' : 'descending');
      else ths[c].removeAttribute('aria-sort');
    }
  }

  function findingRow(i) {
    var f = F[i];
    var nameCell = el('td', null);
    if (f.k === 'ServiceAccount' && f.ns) nameCell.append(saLink(f.ns + '/' + f.n, f.n)); else nameCell.append(f.n);
    var tr = el('tr', { className: 'row' + (f.sup ? ' suppressed' : ''), 'data-index': String(i), tabindex: '0' },
      el('td', null, sevBadge(f.s)),
      el('td', { text: f.r, title: title(f) }),
      el('td', { text: f.k }),
      el('td', { text: f.ns || '' }),
      nameCell,
      el('td', { text: locationText(f) }),
      el('td', { text: f.m }));
    return tr;
  }

  function toggleDetail(tr) {
    var i = Number(tr.getAttribute('data-index'));
    var next = tr.nextElementSibling;
    if (next && next.classList.contains('detail')) {
      next.remove();
      openDetail = -1;
      return;
    }
    var td = el('td', { colspan: '7' }, findingDetail(i));
    tr.after(el('tr', { className: 'detail' }, td));
    openDetail = i;
  }

  function findingDetail(i) {
    var f = F[i];
    var rule = R[f.r] || {};
    var dl = el('dl', { className: 'kv' });
    function row(k, v) { if (v !== null && v !== undefined && v !== '') dl.append(el('dt', { text: k }), el('dd', null, v)); }
    row('Rule', f.r + ' ' + title(f));
    row('Severity', f.s + ' (confidence ' + f.c + ')');
    row('Object', objectText(f) + ' (' + f.av + ')');
    if (accountOfFinding[i]) row('ServiceAccount', saLink(accountOfFinding[i]));
    row('Location', locationText(f) + (f.col ? ':' + f.col : ''));
    row('Field', f.p);
    row('Message', f.m);
    if (f.sup) row('Suppressed', f.sup.kind + ': ' + f.sup.reason);
    if (f.rel && f.rel.length) {
      var ul = el('ul');
      f.rel.forEach(function (r) {
        var o = r.object;
        ul.append(el('li', { text: o.kind + ' ' + (o.namespace ? o.namespace + '/' : '') + o.name + (r.path ? ' ' + r.path : '') }));
      });
      row('Related', ul);
    }
    if (f.r === 'SA033' && f.e && f.e.steps) row('Path', graphBox([f.e], accountOfFinding[i] || ''));
    if (f.e) row('Evidence', el('pre', { text: JSON.stringify(f.e, null, 2) }));
    var rem = f.rem !== undefined ? f.rem : rule.remediation;
    row('Remediation', rem ? el('pre', { text: rem }) : '');
    var refs = f.refs !== undefined ? f.refs : rule.references;
    if (refs && refs.length) {
      var rl = el('ul');
      refs.forEach(function (u) { rl.append(el('li', { text: u })); });
      row('References', rl);
    }
    row('Fingerprint', f.fp);
    return dl;
  }

  function setHashFromState() {
    var p = new URLSearchParams();
    if (state.sev) p.set('sev', state.sev);
    if (state.rule) p.set('rule', state.rule);
    if (state.ns) p.set('ns', state.ns);
    if (state.q) p.set('q', state.q);
    if (state.sup) p.set('sup', '1');
    if (state.sort) p.set('sort', (state.dir < 0 ? '-' : '') + state.sort);
    var s = p.toString();
    history.replaceState(null, '', '#findings' + (s ? '?' + s : ''));
  }

  function stateFromHash(query) {
    var p = new URLSearchParams(query);
    state.sev = p.get('sev') || '';
    state.rule = p.get('rule') || '';
    state.ns = p.get('ns') || '';
    state.q = p.get('q') || '';
    state.sup = p.get('sup') === '1';
    var sort = p.get('sort') || '';
    state.dir = sort.charAt(0) === '-' ? -1 : 1;
    state.sort = sortKeys[sort.replace(/^-/, '')] ? sort.replace(/^-/, '') : '';
    $('f-sev').value = state.sev;
    $('f-rule').value = state.rule;
    $('f-ns').value = state.ns;
    $('f-q').value = state.q;
    $('f-sup').checked = state.sup;
  }

  function wireTable() {
    function onFilter() {
      state.sev = $('f-sev').value;
      state.rule = $('f-rule').value;
      state.ns = $('f-ns').value;
      state.q = $('f-q').value;
      state.sup = $('f-sup').checked;
      applyFilters(false);
      setHashFromState();
    }
    ['f-sev', 'f-rule', 'f-ns', 'f-sup'].forEach(function (id) { $(id).addEventListener('change', onFilter); });
    var timer = 0;
    $('f-q').addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(onFilter, 150);
    });
    function onSort(ev) {
      var th = ev.target.closest('th[data-sort]');
      if (!th) return;
      var k = th.getAttribute('data-sort');
      if (state.sort === k) state.dir = -state.dir; else { state.sort = k; state.dir = 1; }
      applyFilters(false);
      setHashFromState();
    }
    function onRow(ev) {
      if (ev.target.closest('a')) return;
      var tr = ev.target.closest('tr.row');
      if (tr) toggleDetail(tr);
    }
    // Keyboard: Enter or Space on a focused header sorts, on a row opens it.
    function onKey(handler) {
      return function (ev) {
        if (ev.key !== 'Enter' && ev.key !== ' ') return;
        ev.preventDefault();
        handler(ev);
      };
    }
    $('findings-table').tHead.addEventListener('click', onSort);
    $('findings-table').tHead.addEventListener('keydown', onKey(onSort));
    $('findings-table').tBodies[0].addEventListener('click', onRow);
    $('findings-table').tBodies[0].addEventListener('keydown', onKey(onRow));
    function go(p) { state.page = p; renderTable(); }
    $('p-first').addEventListener('click', function () { go(0); });
    $('p-prev').addEventListener('click', function () { go(state.page - 1); });
    $('p-next').addEventListener('click', function () { go(state.page + 1); });
    $('p-last').addEventListener('click', function () { go(pages() - 1); });
  }

  // ---- attack-path graphs ------------------------------------------------

  // nodeKind classes a node by its label.
  function nodeKind(label) {
    if (label.indexOf('ServiceAccount ') === 0) return 'account';
    if (label.indexOf('Group ') === 0) return 'group';
    return 'other';
  }

  // buildGraph merges attack paths (SA033 evidence) into one graph: the
  // objects that hold the first token, then each step's subjects, left to
  // right by step.
  function buildGraph(paths) {
    var nodes = new Map();
    var edges = new Map();
    function node(id, label, kind) {
      var n = nodes.get(id);
      if (!n) {
        n = { id: id, label: label, kind: kind, out: [], inn: [], layer: 0, order: nodes.size };
        nodes.set(id, n);
      }
      return n;
    }
    function edge(a, b, label, via) {
      var id = a.id + '\u0000' + b.id + '\u0000' + label;
      if (edges.has(id)) return;
      var e = { from: a, to: b, label: label, via: via || '' };
      edges.set(id, e);
      a.out.push(e);
      b.inn.push(e);
    }
    paths.forEach(function (p) {
      var steps = p.steps || [];
      // The token taken first is the account's; its first step may go
      // from a group it belongs to.
      var firstLabel = p.serviceAccount ? 'ServiceAccount ' + p.serviceAccount : steps.length ? String(steps[0].from) : '?';
      var first = node(firstLabel, firstLabel, nodeKind(firstLabel));
      var sources = p.sources || [];
      var shown = sources.slice(0, 5);
      shown.forEach(function (s) { edge(node('src:' + s, String(s), 'source'), first, 'holds the token'); });
      var more = Math.max(p.sourcesTotal || 0, sources.length) - shown.length;
      if (more > 0) edge(node('more:' + firstLabel, '+' + more + ' more', 'more'), first, 'hold the token');
      var prev = first;
      steps.forEach(function (s) {
        var from = String(s.from);
        if (from !== prev.label) {
          var n = node(from, from, nodeKind(from));
          if (prev === first) edge(first, n, from.indexOf('Group ') === 0 ? 'member of' : '');
          prev = n;
        }
        var to = node(String(s.to), String(s.to), nodeKind(String(s.to)));
        edge(prev, to, String(s.action || ''), String(s.via || ''));
        prev = to;
      });
      if (steps.length) prev.kind = 'sink';
    });
    // Layers: the longest distance from a node without predecessors;
    // bounded passes, so a cycle cannot loop.
    var list = Array.from(nodes.values());
    var edgeList = Array.from(edges.values());
    for (var pass = 0; pass < list.length; pass++) {
      var changed = false;
      edgeList.forEach(function (e) {
        if (e.to.layer < e.from.layer + 1 && e.from.layer + 1 < list.length) { e.to.layer = e.from.layer + 1; changed = true; }
      });
      if (!changed) break;
    }
    // A node nothing leads to (a workload holding a token) sits just left
    // of what it leads to.
    list.forEach(function (n) {
      if (!n.inn.length && n.out.length) n.layer = Math.max(0, Math.min.apply(null, n.out.map(function (e) { return e.to.layer; })) - 1);
    });
    var layers = [];
    list.forEach(function (n) { (layers[n.layer] = layers[n.layer] || []).push(n); });
    for (var l = 0; l < layers.length; l++) {
      layers[l] = layers[l] || [];
      // Order each layer by the mean position of its predecessors (fewer
      // crossings), first appearance breaking ties.
      if (l > 0) {
        layers[l].forEach(function (n) {
          var ps = n.inn.filter(function (e) { return e.from.layer < n.layer; });
          n.bary = ps.length ? ps.reduce(function (s, e) { return s + e.from.pos; }, 0) / ps.length : n.order;
        });
        layers[l].sort(function (a, b) { return a.bary - b.bary || a.order - b.order; });
      }
      layers[l].forEach(function (n, k) { n.pos = k; });
    }
    return { nodes: list, edges: edgeList, layers: layers };
  }

  function clip(s, n) { return s.length > n ? s.slice(0, n - 1) + '…' : s; }

  // wrap breaks text into at most max lines of about width characters.
  function wrap(text, width, max) {
    var lines = [];
    var line = '';
    text.split(' ').forEach(function (w) {
      if (line && (line + ' ' + w).length > width) { lines.push(line); line = w; } else line = line ? line + ' ' + w : w;
    });
    if (line) lines.push(line);
    if (lines.length > max) {
      lines = lines.slice(0, max);
      lines[max - 1] = clip(lines[max - 1] + ' …', width);
    }
    return lines.map(function (l) { return clip(l, width); });
  }

  function svgText(x, y, text, cls, anchor) {
    var t = svg('text', { x: String(x), y: String(y) });
    if (cls) t.setAttribute('class', cls);
    if (anchor) t.setAttribute('text-anchor', anchor);
    t.textContent = text;
    return t;
  }

  // drawGraph lays a graph out left to right, one column per layer: nodes
  // show their kind above their name, edges what the step does and the
  // binding it goes through.
  function drawGraph(g, current) {
    var NW = 220, NH = 42, GAP = 230, COL = NW + GAP, ROW = 64, PAD = 16;
    var rows = g.layers.reduce(function (m, l) { return Math.max(m, l.length); }, 1);
    var width = PAD * 2 + (g.layers.length - 1) * COL + NW;
    var height = PAD * 2 + rows * ROW - (ROW - NH);
    var root = svg('svg', { width: String(width), height: String(height), viewBox: '0 0 ' + width + ' ' + height, role: 'img', class: 'path-graph' });
    var defs = svg('defs', {});
    var marker = svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: '10', refY: '5', markerWidth: '7', markerHeight: '7', orient: 'auto-start-reverse' });
    marker.append(svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', fill: '#8795a6' }));
    defs.append(marker);
    root.append(defs);
    g.nodes.forEach(function (n) {
      var offset = (rows - g.layers[n.layer].length) * ROW / 2;
      n.x = PAD + n.layer * COL;
      n.y = PAD + offset + n.pos * ROW;
    });
    var edgeGroup = svg('g', { class: 'edges' });
    var labelled = new Set();
    g.edges.forEach(function (e) {
      var x1 = e.from.x + NW, y1 = e.from.y + NH / 2, x2 = e.to.x, y2 = e.to.y + NH / 2;
      var ge = svg('g', { class: 'edge', 'data-from': e.from.label, 'data-to': e.to.label, 'data-action': e.label });
      var t = svg('title', {});
      t.textContent = e.label + (e.via ? ' (' + e.via + ')' : '');
      var d, lx, ly;
      if (x2 <= x1) {
        // Backwards (a cycle): loop below.
        d = 'M ' + x1 + ' ' + y1 + ' C ' + (x1 + 80) + ' ' + (y1 + 90) + ', ' + (x2 - 80) + ' ' + (y2 + 90) + ', ' + x2 + ' ' + y2;
        lx = (x1 + x2) / 2; ly = Math.max(y1, y2) + 70;
      } else {
        var xm = (x1 + x2) / 2;
        d = 'M ' + x1 + ' ' + y1 + ' C ' + xm + ' ' + y1 + ', ' + xm + ' ' + y2 + ', ' + x2 + ' ' + y2;
        // The label sits in the gap just before the target, on the curve.
        lx = x2 - GAP / 2;
        var lo = 0, hi = 1;
        for (var k = 0; k < 24; k++) {
          var m = (lo + hi) / 2, u = 1 - m;
          var x = u * u * u * x1 + 3 * u * u * m * xm + 3 * u * m * m * xm + m * m * m * x2;
          if (x < lx) lo = m; else hi = m;
        }
        var tt = (lo + hi) / 2, v = 1 - tt;
        ly = v * v * v * y1 + 3 * v * v * tt * y1 + 3 * v * tt * tt * y2 + tt * tt * tt * y2;
      }
      ge.append(t, svg('path', { d: d, 'marker-end': 'url(#arrow)' }));
      // One label for edges that say the same into the same node.
      var key = e.to.id + '\u0000' + e.label + '\u0000' + e.via;
      if (e.label && !labelled.has(key)) {
        labelled.add(key);
        var lines = wrap(e.label, 34, 2);
        if (e.via) lines.push(clip(e.via, 36));
        lines.forEach(function (line, i) {
          ge.append(svgText(lx, ly - 5 - (lines.length - 1 - i) * 13, line, i === lines.length - 1 && e.via ? 'via' : '', 'middle'));
        });
      }
      edgeGroup.append(ge);
    });
    root.append(edgeGroup);
    var nodeGroup = svg('g', { class: 'nodes' });
    g.nodes.forEach(function (n) {
      var cls = 'node ' + n.kind + (n.label === current ? ' current' : '');
      var gn = svg('g', { class: cls, 'data-label': n.label, 'data-layer': String(n.layer), transform: 'translate(' + n.x + ',' + n.y + ')' });
      var t = svg('title', {});
      t.textContent = n.label;
      gn.append(t, svg('rect', { width: String(NW), height: String(NH), rx: '5', ry: '5' }));
      var sp = n.label.indexOf(' ');
      if (sp > 0 && /^[A-Z]/.test(n.label)) {
        gn.append(svgText(8, 16, n.label.slice(0, sp), 'kind'), svgText(8, 33, clip(n.label.slice(sp + 1), 33), 'name'));
      } else {
        gn.append(svgText(8, NH / 2 + 4, clip(n.label, 33), 'name'));
      }
      var acct = n.label.indexOf('ServiceAccount ') === 0 ? n.label.slice('ServiceAccount '.length) : '';
      if (acct.indexOf('/') > 0 && n.label !== current) {
        var a = svg('a', { href: saHref(acct) });
        a.append(gn);
        nodeGroup.append(a);
      } else {
        nodeGroup.append(gn);
      }
    });
    root.append(nodeGroup);
    return root;
  }

  function graphBox(paths, currentKey) {
    return el('div', { className: 'graph' }, drawGraph(buildGraph(paths), currentKey ? 'ServiceAccount ' + currentKey : ''));
  }

  function pathText(p) {
    var sources = (p.sources || []).map(String);
    var parts = sources.slice(0, 3);
    var more = Math.max(p.sourcesTotal || 0, sources.length) - parts.length;
    var text = parts.length ? parts.join(', ') + (more > 0 ? ' and ' + more + ' more' : '') + ' → ' : '';
    var prev = p.serviceAccount ? 'ServiceAccount ' + p.serviceAccount : '';
    text += prev;
    (p.steps || []).forEach(function (s) {
      var from = String(s.from);
      if (from !== prev) text += !prev ? from : from.indexOf('Group ') === 0 ? ' (member of ' + from + ')' : ' … ' + from;
      text += ' —' + s.action + (s.via ? ' (' + s.via + ')' : '') + '→ ' + s.to;
      prev = String(s.to);
    });
    return text;
  }

  // ---- ServiceAccount pages ------------------------------------------------

  function findingsTable(indexes, withObject) {
    var t = el('table', { className: 'compact' });
    var head = el('tr', null, el('th', { text: 'Severity' }), el('th', { text: 'Rule' }));
    if (withObject) head.append(el('th', { text: 'Object' }));
    head.append(el('th', { text: 'Message' }));
    t.append(el('thead', null, head));
    var tb = el('tbody');
    indexes.forEach(function (i) {
      var f = F[i];
      var tr = el('tr', f.sup ? { className: 'suppressed' } : null, el('td', null, sevBadge(f.s)), el('td', { text: f.r, title: title(f) }));
      if (withObject) tr.append(el('td', { text: objectText(f) }));
      tr.append(el('td', { text: f.m }));
      tb.append(tr);
    });
    t.append(tb);
    return t;
  }

  function permissions(a, box) {
    box.append(el('h3', { text: 'Permissions by tier' }));
    if (!a.permissions || !a.permissions.length) {
      box.append(el('p', { className: 'muted', text: 'No SA013 finding: the scan found no dangerous permission for this account.' }));
      return;
    }
    a.permissions.forEach(function (i) {
      var e = F[i].e || {};
      var byTier = { T0: [], T1: [], T2: [], other: [] };
      (e.capabilities || []).forEach(function (c) {
        var m = /^(\S+) (T[0-2]) via (.*)$/.exec(String(c));
        if (m) byTier[m[2]].push([m[1], m[3]]); else byTier.other.push([String(c), '']);
      });
      box.append(el('p', null, 'Highest tier: ', el('span', { className: 'tier tier-' + (e.privilegeTier || 'none'), text: e.privilegeTier || 'none' }),
        e.dormant ? ' · dormant: no pod in the scan runs as it with a token and no token Secret names it' : '',
        ' · ', el('span', { text: F[i].m })));
      var t = el('table', { className: 'compact permissions' });
      t.append(el('thead', null, el('tr', null, el('th', { text: 'Tier' }), el('th', { text: 'Capability' }), el('th', { text: 'Granted by' }))));
      var tb = el('tbody');
      ['T0', 'T1', 'T2', 'other'].forEach(function (tier) {
        byTier[tier].forEach(function (c) {
          tb.append(el('tr', { 'data-tier': tier }, el('td', null, el('span', { className: 'tier tier-' + tier, text: tier })), el('td', { text: c[0] }), el('td', { text: c[1] })));
        });
      });
      (e.groupGrants || []).forEach(function (g) {
        var m = /^(T[0-2]) (.*)$/.exec(String(g));
        var tier = m ? m[1] : 'other';
        tb.append(el('tr', { 'data-tier': tier, className: 'group-grant' }, el('td', null, el('span', { className: 'tier tier-' + tier, text: tier })), el('td', { text: 'group grant' }), el('td', { text: m ? m[2] : String(g) })));
      });
      t.append(tb);
      box.append(t);
      var listed = (e.capabilities || []).length;
      if (e.capabilitiesTotal > listed) box.append(el('p', { className: 'muted', text: fmt(e.capabilitiesTotal - listed) + ' more capabilities not listed in the finding (' + fmt(e.capabilitiesTotal) + ' in all).' }));
    });
  }

  function holders(a, box) {
    box.append(el('h3', { text: 'Who holds its token' }));
    var idx = a.holders || [];
    if (!idx.length) {
      box.append(el('p', { className: 'muted', text: 'No finding names an object that holds or carries its token.' }));
      return;
    }
    // One row per object, with the rules that name it.
    var byObject = new Map();
    idx.forEach(function (i) {
      var k = objectText(F[i]);
      if (!byObject.has(k)) byObject.set(k, []);
      byObject.get(k).push(i);
    });
    var t = el('table', { className: 'compact holders' });
    t.append(el('thead', null, el('tr', null, el('th', { text: 'Object' }), el('th', { text: 'Findings' }))));
    var tb = el('tbody');
    byObject.forEach(function (list, k) {
      var cell = el('td');
      list.forEach(function (i) {
        cell.append(el('div', null, sevBadge(F[i].s), ' ', el('span', { className: 'badge', text: F[i].r }), F[i].m));
      });
      tb.append(el('tr', null, el('td', { text: k }), cell));
    });
    t.append(tb);
    box.append(el('p', { text: fmt(byObject.size) + ' object(s):' }), t);
  }

  function attackPaths(a, box) {
    box.append(el('h3', { text: 'Attack paths' }));
    var from = a.pathsFrom || [];
    var through = a.pathsThrough || [];
    if (!from.length && !through.length) {
      box.append(el('p', { className: 'muted', text: 'No attack path (SA033) starts with its token or goes through it.' }));
      return;
    }
    box.append(el('p', { id: 'sa-path-counts', text: fmt(from.length) + ' from its token, ' + fmt(through.length) + ' through it.' }));
    var all = from.concat(through);
    var drawn = all.slice(0, GRAPH_PATHS);
    box.append(graphBox(drawn.map(function (i) { return F[i].e; }), a.key));
    if (all.length > drawn.length) box.append(el('p', { className: 'muted', text: 'The graph shows ' + drawn.length + ' of ' + fmt(all.length) + ' paths; the list has them all.' }));
    var ol = el('ol', { className: 'paths' });
    all.forEach(function (i) {
      var e = F[i].e || {};
      ol.append(el('li', null, el('span', { className: 'sink', text: String(e.sink || '') }), ' ', String(e.hops || '') + ' hop(s): ', pathText(e)));
    });
    box.append(ol);
  }

  function showSA(key) {
    var box = $('view-sa');
    box.replaceChildren();
    box.append(el('p', { className: 'back' }, el('a', { href: '#accounts', text: '← all ServiceAccounts' })));
    var a = accountByKey.get(key);
    box.append(el('h2', { id: 'sa-title', text: 'ServiceAccount ' + key }));
    if (!a) {
      box.append(el('p', { text: 'No finding names this ServiceAccount.' }));
      return;
    }
    permissions(a, box);
    holders(a, box);
    attackPaths(a, box);
    box.append(el('h3', { text: 'Other findings on it and its bindings' }));
    if (a.other && a.other.length) box.append(findingsTable(a.other, true));
    else box.append(el('p', { className: 'muted', text: 'None.' }));
  }

  var accountsFilter = { q: '', page: 0 };

  function showAccounts() {
    var box = $('view-accounts');
    if (!box.firstChild) {
      box.append(el('h2', { text: 'ServiceAccounts' }),
        el('p', { className: 'muted', text: 'Every ServiceAccount a finding names, with its highest privilege tier (SA013), the objects that hold its token and its attack paths.' }),
        el('div', { className: 'filters' }, el('label', null, 'Name ', el('input', { id: 'a-q', type: 'search', autocomplete: 'off' }))),
        el('p', { id: 'a-status', className: 'status' }),
        el('table', { id: 'accounts-table', className: 'compact' },
          el('thead', null, el('tr', null, el('th', { text: 'ServiceAccount' }), el('th', { text: 'Tier' }), el('th', { className: 'num', text: 'Token holders' }), el('th', { className: 'num', text: 'Paths from' }), el('th', { className: 'num', text: 'Paths through' }), el('th', { className: 'num', text: 'Other' }))),
          el('tbody')),
        el('div', { className: 'pager' }, el('button', { id: 'a-prev', type: 'button', text: '‹ previous' }), el('span', { id: 'a-info' }), el('button', { id: 'a-next', type: 'button', text: 'next ›' })));
      $('a-q').addEventListener('input', function () { accountsFilter.q = this.value.toLowerCase(); accountsFilter.page = 0; renderAccounts(); });
      $('a-prev').addEventListener('click', function () { accountsFilter.page--; renderAccounts(); });
      $('a-next').addEventListener('click', function () { accountsFilter.page++; renderAccounts(); });
    }
    renderAccounts();
  }

  function renderAccounts() {
    var list = data.accounts.filter(function (a) { return !accountsFilter.q || a.key.toLowerCase().indexOf(accountsFilter.q) >= 0; });
    var n = Math.max(1, Math.ceil(list.length / PAGE_SIZE));
    accountsFilter.page = Math.min(Math.max(0, accountsFilter.page), n - 1);
    var start = accountsFilter.page * PAGE_SIZE;
    var tb = $('accounts-table').tBodies[0];
    var rows = document.createDocumentFragment();
    list.slice(start, start + PAGE_SIZE).forEach(function (a) {
      var count = function (x) { return String((x || []).length); };
      rows.append(el('tr', null, el('td', null, saLink(a.key)), el('td', null, el('span', { className: 'tier tier-' + (a.tier || 'none'), text: a.tier || 'none' })),
        el('td', { className: 'num', text: count(a.holders) }), el('td', { className: 'num', text: count(a.pathsFrom) }),
        el('td', { className: 'num', text: count(a.pathsThrough) }), el('td', { className: 'num', text: count(a.other) })));
    });
    tb.replaceChildren(rows);
    $('a-status').textContent = fmt(list.length) + ' ServiceAccount(s)';
    $('a-info').textContent = 'page ' + (accountsFilter.page + 1) + ' of ' + n;
    $('a-prev').disabled = accountsFilter.page === 0;
    $('a-next').disabled = accountsFilter.page >= n - 1;
  }

  // ---- routing -----------------------------------------------------------

  function show(id) {
    ['view-report', 'view-accounts', 'view-sa'].forEach(function (v) { $(v).hidden = v !== id; });
  }

  function route() {
    var h = location.hash.slice(1);
    if (h.indexOf('sa/') === 0) {
      var parts = h.slice(3).split('/');
      var key;
      try { key = decodeURIComponent(parts[0]) + '/' + decodeURIComponent(parts.slice(1).join('/')); } catch (e) { key = h.slice(3); }
      show('view-sa');
      showSA(key);
      window.scrollTo(0, 0);
      return;
    }
    if (h === 'accounts') {
      show('view-accounts');
      showAccounts();
      window.scrollTo(0, 0);
      return;
    }
    show('view-report');
    if (h.indexOf('findings') === 0) {
      var q = h.indexOf('?');
      stateFromHash(q >= 0 ? h.slice(q + 1) : '');
      applyFilters(false);
      $('findings').scrollIntoView();
    }
  }

  function init() {
    load();
    data.suppressed = F.reduce(function (n, f) { return n + (f.sup ? 1 : 0); }, 0);
    fillFilters();
    wireTable();
    applyFilters(false);
    window.addEventListener('hashchange', route);
    route();
    document.documentElement.setAttribute('data-ready', '1');
    window.sascanReady = performance.now();
  }

  // The summary above is already in the page: let it paint, then read the
  // findings.
  // (A hidden tab runs no animation frame: the timeout starts it there.)
  var started = false;
  function once() {
    if (!started) { started = true; init(); }
  }
  function start() {
    requestAnimationFrame(function () { setTimeout(once, 0); });
    setTimeout(once, 200);
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start); else start();
})();
