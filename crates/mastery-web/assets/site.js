// The static site's script: the theme toggle, "/" to search, "Expand all answers", and the
// search page, which searches window.MASTERY_SEARCH (assets/search-index.js, loaded as a
// script because a page opened from a file cannot fetch). Every page reads without it.
(function () {
  'use strict';
  const $ = (selector, root = document) => root.querySelector(selector);
  const $$ = (selector, root = document) => Array.from(root.querySelectorAll(selector));

  // ---- theme ------------------------------------------------------------------------
  const root = document.documentElement;
  const systemTheme = () =>
    window.matchMedia && window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
  const toggle = $('[data-theme-toggle]');
  if (toggle) {
    const label = () => {
      const current = root.dataset.theme || systemTheme();
      toggle.setAttribute('aria-label', `Switch to ${current === 'dark' ? 'light' : 'dark'} theme`);
    };
    toggle.hidden = false;
    label();
    toggle.addEventListener('click', () => {
      const next = (root.dataset.theme || systemTheme()) === 'dark' ? 'light' : 'dark';
      root.dataset.theme = next;
      try {
        localStorage.setItem('mastery-theme', next);
      } catch (e) {
        /* the theme still applies to this page */
      }
      label();
    });
  }

  // ---- "/" focuses the search box ---------------------------------------------------
  document.addEventListener('keydown', (event) => {
    const typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement && document.activeElement.tagName);
    if (event.key === '/' && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
      const box = $('[data-search-input]') || $('#site-search');
      if (box) {
        event.preventDefault();
        box.focus();
      }
    }
  });

  // ---- expand all answers -------------------------------------------------------------
  const expand = $('[data-expand-all]');
  if (expand) {
    expand.hidden = false;
    expand.addEventListener('click', () => {
      const open = expand.dataset.open !== 'true';
      $$('details.card-body').forEach((d) => (d.open = open));
      expand.dataset.open = String(open);
      expand.textContent = open ? 'Collapse all answers' : 'Expand all answers';
    });
  }
  // A link to a question on the guide page opens its answer.
  const openTarget = () => {
    const id = decodeURIComponent(location.hash.slice(1));
    const card = id && document.getElementById(id);
    const details = card && $('details', card);
    if (details) details.open = true;
  };
  window.addEventListener('hashchange', openTarget);
  openTarget();

  // ---- search -------------------------------------------------------------------------
  const form = $('[data-site-search]');
  const index = window.MASTERY_SEARCH;
  if (!form || !index) return;
  const input = $('[data-search-input]', form);
  const results = $('[data-search-results]');
  const status = $('[data-search-status]');

  const words = (text) => (String(text || '').toLowerCase().match(/[\p{L}\p{N}_]+/gu) || []);
  // The weights of the server's search (mastery-content's search.rs).
  const FIELDS = [['title', 12], ['tags', 8], ['points', 4], ['text', 2], ['code', 1]];
  const entries = index.entries.map((entry, order) => {
    const fields = FIELDS.map(([name, weight]) => {
      const value = Array.isArray(entry[name]) ? entry[name].join(' ') + ' ' + entry[name].join(' ').replace(/-/g, ' ') : entry[name];
      return { weight, words: Array.from(new Set(words(value))) };
    });
    return { entry, order, fields };
  });

  const escapeHtml = (text) =>
    String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
  const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

  function search(query) {
    const terms = words(query);
    if (terms.length === 0) return [];
    const hits = [];
    for (const item of entries) {
      let score = 0;
      let all = true;
      terms.forEach((term, i) => {
        const prefix = i === terms.length - 1;
        let best = 0;
        for (const field of item.fields) {
          if (field.weight <= best) continue;
          const found = field.words.some((w) => w === term || (prefix && w.startsWith(term)));
          if (found) best = field.weight;
        }
        if (best === 0) all = false;
        score += best;
      });
      if (all) hits.push({ item, score });
    }
    hits.sort((a, b) => b.score - a.score || a.item.order - b.item.order);
    return hits;
  }

  function highlight(text, terms) {
    const safe = escapeHtml(text);
    if (terms.length === 0) return safe;
    const pattern = new RegExp(`(${terms.map(escapeRegExp).join('|')})`, 'giu');
    return safe.replace(pattern, '<mark>$1</mark>');
  }

  function snippet(text, terms) {
    const lower = text.toLowerCase();
    let at = -1;
    for (const term of terms) {
      const i = lower.indexOf(term);
      if (i >= 0 && (at < 0 || i < at)) at = i;
    }
    const start = Math.max(0, at - 80);
    const piece = text.slice(start, start + 240).replace(/\s+/g, ' ').trim();
    return (start > 0 ? '… ' : '') + highlight(piece, terms) + (start + 240 < text.length ? ' …' : '');
  }

  function show(query) {
    const terms = words(query);
    if (terms.length === 0) {
      results.innerHTML = '<p class="empty">Type a word or two: titles, answers, code, key points and tags are searched, here on your computer.</p>';
      status.textContent = '';
      return;
    }
    const hits = search(query);
    const count = `${hits.length} ${hits.length === 1 ? 'result' : 'results'}`;
    status.textContent = count;
    const list = hits
      .map(({ item }) => {
        const e = item.entry;
        const level = e.level ? ` · <span class="pill level-${escapeHtml(e.level)}">${escapeHtml(e.level)}</span>` : '';
        return `<li class="result"><h2><a href="${escapeHtml(e.url)}">${highlight(e.title, terms)}</a></h2>` +
          `<p class="result-meta">${escapeHtml(e.section)}${level}</p>` +
          `<p class="snippet">${snippet(e.text || e.points || '', terms)}</p></li>`;
      })
      .join('');
    results.innerHTML = `<p class="result-count">${count}</p>` +
      (hits.length === 0 ? '<p class="empty">Nothing matches. Try fewer words.</p>' : `<ol class="results">${list}</ol>`);
  }

  const params = new URLSearchParams(location.search);
  const initial = params.get('q') || '';
  input.value = initial;
  const top = $('#site-search');
  if (top) top.value = initial;
  show(initial);
  input.addEventListener('input', () => show(input.value));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    show(input.value);
    try {
      const url = new URL(location.href);
      url.searchParams.set('q', input.value);
      history.replaceState(null, '', url);
    } catch (e) {
      /* file:// pages may refuse history changes; the results are shown anyway */
    }
  });
  if (!initial) input.focus();
})();
