// The comparison dashboard (GET /dashboard): reads only the public API of this origin (relative
// URLs, so it also works below a stage prefix) and renders with DOM calls, never from HTML text.
'use strict';
(() => {
  const $ = (id) => document.getElementById(id);
  const state = { editions: [], latest: null, docs: new Map(), diffs: new Map() };

  // An element with attributes (`class`, other attributes, or `on*` handlers) and children.
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
      else if (name === 'class') el.className = value;
      else el.setAttribute(name, value === true ? '' : value);
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      el.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return el;
  }

  async function get(path) {
    const response = await fetch(path, { headers: { accept: 'application/json' } });
    if (!response.ok) throw new Error(`${path} answered ${response.status}`);
    return response.json();
  }

  function status(text, error) {
    $('status').textContent = text;
    $('status').classList.toggle('error', !!error);
  }

  async function editionDoc(id) {
    if (!state.docs.has(id)) state.docs.set(id, get(`v1/themes/editions/${encodeURIComponent(id)}`).then((e) => e.document));
    return state.docs.get(id);
  }

  async function diff(from, to) {
    const key = `${from}|${to}`;
    if (!state.diffs.has(key)) {
      state.diffs.set(key, get(`v1/themes/diff?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`));
    }
    return state.diffs.get(key);
  }

  const selected = () => [...document.querySelectorAll('#zorgkantoren input:checked')].map((i) => i.value);

  function fillSelect(select, options, value) {
    select.replaceChildren(...options.map(([v, label]) => h('option', { value: v, selected: v === value }, label)));
  }

  // The controls that depend on the edition document (themes, zorgkantoren) are built once.
  function buildControls(doc) {
    fillSelect($('theme'), doc.themes.map((t) => [t.id, t.name]), 'bekostiging-en-tarieven');
    $('zorgkantoren').replaceChildren(
      h('legend', {}, 'Zorgkantoren'),
      ...doc.zorgkantoren.map((z) =>
        h('label', {}, h('input', { type: 'checkbox', value: z.id, checked: true, onchange: render }), ' ', z.name)),
    );
  }

  function downloadLinks(edition, compare, theme, zks) {
    const filter = `&theme=${theme}` + (zks.length < 7 ? `&zorgkantoor=${zks.join(',')}` : '');
    const links = [
      h('a', { class: 'button', href: `v1/themes?edition=${edition}${filter}&format=csv-excel`, download: '' }, 'Download CSV (Excel)'),
      h('a', { class: 'button', href: `v1/themes?edition=${edition}${filter}&format=csv`, download: '' }, 'Download CSV'),
    ];
    if (compare) {
      const zkFilter = zks.length < 7 ? `&zorgkantoor=${zks.join(',')}` : '';
      links.push(h('a', { class: 'button', href: `v1/themes/diff?from=${compare}&to=${edition}${zkFilter}&format=csv-excel`, download: '' },
        'Download changes (Excel)'));
    }
    $('downloads').replaceChildren(...links);
  }

  const tag = (change) => h('span', { class: 'tag' }, change);

  // The points of one cell, with the diff's changes marked (removed points struck through).
  function pointList(cell, cellDiff) {
    const changes = cellDiff ? cellDiff.points : [];
    const byTo = new Map(changes.filter((c) => c.to_point).map((c) => [c.to_point, c]));
    const items = [];
    (cell ? cell.points : []).forEach((text, i) => {
      const change = byTo.get(i + 1);
      if (!change) items.push(h('li', {}, text));
      else if (change.change === 'added') items.push(h('li', { class: 'added' }, tag('added'), text));
      else items.push(h('li', { class: 'changed' }, tag('changed'), text, h('span', { class: 'was' }, 'was: ', h('del', {}, change.before))));
    });
    for (const c of changes.filter((c) => c.change === 'removed')) {
      items.push(h('li', { class: 'removed' }, tag('removed'), h('del', {}, c.before)));
    }
    if (!items.length) return h('p', { class: 'empty' }, 'No points in this cell.');
    return h('ol', {}, items);
  }

  function renderCells(doc, diffDoc, theme, zks) {
    const zorgkantoren = doc.zorgkantoren.filter((z) => zks.includes(z.id));
    const themeName = doc.themes.find((t) => t.id === theme).name;
    const cellDiff = (z) => diffDoc && diffDoc.cells.find((c) => c.zorgkantoor === z && c.theme === theme);
    const header = zorgkantoren.map((z) => h('th', { scope: 'col' }, z.name,
      h('div', { class: 'meta' }, z.source_url ? h('a', { href: z.source_url, rel: 'noreferrer' }, z.source_document) : z.source_document,
        z.uzovi ? ` (UZOVI ${z.uzovi})` : '')));
    const row = zorgkantoren.map((z) => {
      const cell = doc.cells.find((c) => c.zorgkantoor === z.id && c.theme === theme);
      return h('td', { 'data-zorgkantoor': z.id }, pointList(cell, cellDiff(z.id)),
        cell ? h('div', { class: 'meta' }, `Confidence: ${cell.confidence}`, cell.note ? `. ${cell.note}` : '') : null);
    });
    const caption = `${themeName}: edition ${doc.edition}` + (diffDoc ? `, changes since ${diffDoc.from} marked` : '');
    $('cells').replaceChildren(h('caption', {}, caption), h('thead', {}, h('tr', {}, header)), h('tbody', {}, h('tr', {}, row)));
  }

  const numbers = (rule) => Object.entries(rule)
    .filter(([k, v]) => typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v) && k !== 'zorgkantoor')
    .map(([k, v]) => `${k.replace(/_/g, ' ')} ${v}`).join(', ');

  function renderRules(doc, diffDoc, zks) {
    const names = Object.fromEntries(doc.zorgkantoren.map((z) => [z.id, z.name]));
    const ruleChanges = diffDoc ? diffDoc.tariff_rules.filter((r) => zks.includes(r.zorgkantoor)) : [];
    const rows = [];
    for (const rule of doc.tariff_rules.filter((r) => zks.includes(r.zorgkantoor))) {
      const change = ruleChanges.find((c) => c.after && JSON.stringify(c.after) === JSON.stringify(rule));
      let shown = numbers(rule) || (rule.description || '');
      let cls = null;
      let label = null;
      if (change && change.change === 'changed') {
        cls = 'changed';
        label = tag('changed');
        const moved = change.numbers.map((n) => `${n.field.replace(/_/g, ' ')} ${n.before ?? '–'} → ${n.after ?? '–'}`).join(', ');
        shown = moved || shown;
      } else if (change) {
        cls = 'added';
        label = tag('added');
      }
      rows.push(h('tr', { class: cls }, h('td', {}, names[rule.zorgkantoor]), h('td', {}, label, rule.kind.replace(/_/g, ' ')),
        h('td', {}, shown), h('td', {}, rule.applies_to || ''), h('td', {}, `point ${rule.source.point}: “${rule.source.quote}”`)));
    }
    for (const removed of ruleChanges.filter((c) => c.change === 'removed')) {
      rows.push(h('tr', { class: 'removed' }, h('td', {}, names[removed.zorgkantoor]), h('td', {}, tag('removed'), removed.kind.replace(/_/g, ' ')),
        h('td', {}, h('del', {}, numbers(removed.before) || removed.before.description || '')), h('td', {}, removed.before.applies_to || ''),
        h('td', {}, `point ${removed.before.source.point}: “${removed.before.source.quote}”`)));
    }
    const head = ['Zorgkantoor', 'Rule', 'Numbers (% of the NZa maximum tariff; points)', 'Applies to', 'Source'];
    $('rules').replaceChildren(h('caption', {}, `Tariff rules: edition ${doc.edition}`),
      h('thead', {}, h('tr', {}, head.map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, rows.length ? rows : h('tr', {}, h('td', { colspan: 5, class: 'empty' }, 'No tariff rules for this choice.'))));
  }

  function renderChanges(doc, diffDoc, zks) {
    const section = $('changes-section');
    if (!diffDoc) {
      section.hidden = true;
      return;
    }
    section.hidden = false;
    const names = Object.fromEntries(doc.zorgkantoren.map((z) => [z.id, z.name]));
    const themes = Object.fromEntries(doc.themes.map((t) => [t.id, t.name]));
    const rows = [];
    for (const cell of diffDoc.cells.filter((c) => zks.includes(c.zorgkantoor))) {
      for (const p of cell.points) {
        rows.push(h('tr', { class: p.change }, h('td', {}, names[cell.zorgkantoor]), h('td', {}, themes[cell.theme]),
          h('td', {}, tag(p.change)), h('td', {}, p.before ? h('del', {}, p.before) : ''), h('td', {}, p.after || '')));
      }
    }
    for (const r of diffDoc.tariff_rules.filter((c) => zks.includes(c.zorgkantoor))) {
      const moved = r.numbers.map((n) => `${n.field.replace(/_/g, ' ')}: ${n.before ?? '–'} → ${n.after ?? '–'}`).join('; ');
      rows.push(h('tr', { class: r.change }, h('td', {}, names[r.zorgkantoor]), h('td', {}, `Tariff rule (${r.kind.replace(/_/g, ' ')})`),
        h('td', {}, tag(r.change)), h('td', {}, r.before ? r.before.source.quote : ''), h('td', {}, moved || (r.after ? r.after.source.quote : ''))));
    }
    $('changes').replaceChildren(h('caption', {}, `All changes from edition ${diffDoc.from} to ${diffDoc.to}`),
      h('thead', {}, h('tr', {}, ['Zorgkantoor', 'Theme', 'Change', 'Before', 'After'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, rows.length ? rows : h('tr', {}, h('td', { colspan: 5, class: 'empty' }, 'No changes.'))));
  }

  let rendering = 0;
  async function render() {
    const ticket = ++rendering;
    const edition = $('edition').value;
    const compare = $('compare').value;
    const theme = $('theme').value;
    const zks = selected();
    try {
      status('Loading…');
      const [doc, diffDoc] = await Promise.all([editionDoc(edition), compare ? diff(compare, edition) : null]);
      if (ticket !== rendering) return;
      renderCells(doc, diffDoc, theme, zks);
      renderRules(doc, diffDoc, zks);
      renderChanges(doc, diffDoc, zks);
      downloadLinks(edition, compare, theme, zks);
      status(`${zks.length} of ${doc.zorgkantoren.length} zorgkantoren, edition ${edition}` + (compare ? `, compared with ${compare}` : ''));
      if (!performance.getEntriesByName('dashboard-rendered').length) performance.mark('dashboard-rendered');
    } catch (err) {
      status(`Could not load: ${err.message}`, true);
    }
  }

  function fillCompare() {
    const edition = $('edition').value;
    const others = state.editions.filter((e) => e !== edition);
    const previous = others.filter((e) => e < edition).pop() || '';
    fillSelect($('compare'), [['', 'No comparison'], ...others.map((e) => [e, e])], previous);
  }

  async function start() {
    try {
      const list = await get('v1/themes/editions');
      state.editions = list.editions.filter((e) => e.status === 'published').map((e) => e.edition);
      state.latest = list.latest_published;
      if (!state.latest) {
        status('Nothing is published yet.', true);
        return;
      }
      fillSelect($('edition'), state.editions.map((e) => [e, e === state.latest ? `${e} (latest)` : e]), state.latest);
      fillCompare();
      // Both first reads at once: the diff need not wait for the edition.
      if ($('compare').value) diff($('compare').value, state.latest);
      buildControls(await editionDoc(state.latest));
      $('edition').addEventListener('change', () => { fillCompare(); render(); });
      for (const id of ['compare', 'theme']) $(id).addEventListener('change', render);
      await render();
    } catch (err) {
      status(`Could not load: ${err.message}`, true);
    }
  }

  start();
})();
