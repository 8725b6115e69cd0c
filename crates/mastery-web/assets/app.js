// Mastery: progressive enhancement only. Every page works without this script: forms
// post and the server redirects back. With it: ticks without a reload, the theme toggle
// without a reload, search as you type, keyboard shortcuts, copy buttons, expand all,
// the current section in the rail, notes saved in place, the live diff of a suggestion.
//
// Strict CSP: no inline styles are ever set; state is expressed with classes, `hidden`,
// aria-* and data-* attributes (progress widths come from [data-percent] rules in the CSS).
(() => {
  'use strict';

  const $ = (selector, root = document) => root.querySelector(selector);
  const $$ = (selector, root = document) => Array.from(root.querySelectorAll(selector));

  const reducedMotion = () =>
    typeof window.matchMedia === 'function' && window.matchMedia('(prefers-reduced-motion: reduce)').matches;

  const csrfToken = () => {
    const meta = $('meta[name="csrf-token"]');
    return meta ? meta.getAttribute('content') || '' : '';
  };

  // A polite live region for short announcements ("Copied").
  let liveRegion = null;
  const announce = (text) => {
    if (!liveRegion) {
      liveRegion = document.createElement('div');
      liveRegion.className = 'visually-hidden';
      liveRegion.setAttribute('role', 'status');
      liveRegion.setAttribute('aria-live', 'polite');
      document.body.appendChild(liveRegion);
    }
    liveRegion.textContent = '';
    window.setTimeout(() => {
      liveRegion.textContent = text;
    }, 50);
  };

  // fetch + JSON with the session cookie and the CSRF header; rejects on non-2xx.
  const api = async (method, url, body) => {
    const headers = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (method !== 'GET') headers['X-CSRF-Token'] = csrfToken();
    const response = await fetch(url, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status === 401) {
      // Multi-user mode, signed out (or the session ended): sign in, then come back here.
      window.location.assign(`/sign-in?next=${encodeURIComponent(window.location.pathname)}`);
      return new Promise(() => {}); // nothing else happens on this page
    }
    if (!response.ok) throw new Error(`${method} ${url}: ${response.status}`);
    return response.json();
  };

  const clampPercent = (value) => {
    const n = Math.round(Number(value));
    return Number.isFinite(n) ? Math.min(100, Math.max(0, n)) : 0;
  };

  // The /guides/{guide}/{question}/{action} path of a form, split into its parts.
  const questionPath = (form, action) => {
    let path;
    try {
      path = new URL(form.getAttribute('action') || '', window.location.href).pathname;
    } catch (_) {
      return null;
    }
    const match = path.match(new RegExp(`^/guides/([^/]+)/([^/]+)/${action}/?$`));
    return match ? { guide: match[1], question: match[2] } : null;
  };

  // ------------------------------------------------------------ 1. Mark forms

  const setText = (selector, text) => {
    $$(selector).forEach((el) => {
      el.textContent = text;
    });
  };

  const setPercent = (selector, percent) => {
    $$(selector).forEach((el) => {
      el.setAttribute('data-percent', String(clampPercent(percent)));
    });
  };

  const updateProgress = (result) => {
    const section = result.section;
    const sp = result.section_progress;
    const gp = result.guide_progress;
    if (section && sp) {
      const id = CSS.escape(section);
      setText(`[data-section-count="${id}"]`, `${sp.mastered}/${sp.total}`);
      setPercent(`[data-section-fill="${id}"]`, sp.percent);
    }
    if (gp) {
      setText('[data-guide-count]', `${gp.mastered}/${gp.total}`);
      setPercent('[data-guide-fill]', gp.percent);
      $$('[data-guide-progress]').forEach((el) => {
        el.setAttribute('aria-label', `${gp.mastered} of ${gp.total} questions mastered`);
      });
    }
  };

  const applyMark = (form, mastered) => {
    const button = $('button.check', form);
    const input = $('input[name="mastered"]', form);
    if (button) {
      button.setAttribute('aria-pressed', String(mastered));
      // "Mark ‘…’ as mastered" or "Unmark ‘…’ as mastered": only the verb changes.
      const label = button.getAttribute('aria-label') || '';
      button.setAttribute('aria-label', label.replace(/^(Un)?mark\b/i, mastered ? 'Unmark' : 'Mark'));
    }
    if (input) input.value = String(!mastered);
    const card = form.closest('.card');
    if (card) card.classList.toggle('mastered', mastered);
  };

  const initMarkForms = () => {
    $$('form[data-mark-form]').forEach((form) => {
      form.addEventListener('submit', async (event) => {
        const target = questionPath(form, 'mark');
        const input = $('input[name="mastered"]', form);
        if (!target || !input || typeof fetch !== 'function') return; // plain post
        event.preventDefault();
        if (form.getAttribute('aria-busy') === 'true') return;
        const mastered = input.value === 'true';
        form.setAttribute('aria-busy', 'true');
        try {
          const url = `/api/v1/guides/${target.guide}/questions/${target.question}/mark`;
          const result = await api('PUT', url, { mastered });
          applyMark(form, typeof result.mastered === 'boolean' ? result.mastered : mastered);
          updateProgress(result);
        } catch (_) {
          form.submit(); // the server does it the slow way and redirects back
        } finally {
          form.removeAttribute('aria-busy');
        }
      });
    });
  };

  // ------------------------------------------------------------ 2. Theme toggle

  const systemTheme = () =>
    typeof window.matchMedia === 'function' && window.matchMedia('(prefers-color-scheme: dark)').matches
      ? 'dark'
      : 'light';

  const initThemeToggle = () => {
    const button = $('[data-theme-toggle]');
    const form = button ? button.closest('form') : null;
    if (!button || !form) return;
    form.addEventListener('submit', (event) => {
      if (typeof fetch !== 'function' || typeof URLSearchParams !== 'function') return;
      event.preventDefault();
      const root = document.documentElement;
      const current = root.dataset.theme === 'dark' || root.dataset.theme === 'light' ? root.dataset.theme : systemTheme();
      const next = current === 'dark' ? 'light' : 'dark';
      root.dataset.theme = next;
      const then = next === 'dark' ? 'light' : 'dark';
      const data = new URLSearchParams(new FormData(form));
      data.set('theme', next);
      const input = $('input[name="theme"]', form);
      if (input) input.value = then;
      button.setAttribute('aria-label', `Switch to ${then} theme`);
      // Remember the choice in the cookie; the page itself needs no reload.
      fetch(form.getAttribute('action') || '/settings/theme', {
        method: 'POST',
        body: data,
        credentials: 'same-origin',
        headers: { 'X-CSRF-Token': csrfToken() },
      }).catch(() => {
        /* the theme still applies to this page; it is simply not remembered */
      });
    });
  };

  // ------------------------------------------------------------ 3. Search as you type

  const el = (tag, className, text) => {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  };

  const optionLabels = (form, name) => {
    const map = new Map();
    const select = form.elements.namedItem(name);
    if (select && select.options) {
      Array.from(select.options).forEach((o) => {
        if (o.value) map.set(o.value, o.textContent.trim());
      });
    }
    return map;
  };

  const initSearch = () => {
    const form = $('[data-search-form]');
    const input = $('[data-search-input]');
    const results = $('[data-search-results]');
    if (!form || !input || !results || typeof fetch !== 'function') return;

    const guideTitles = optionLabels(form, 'guide');
    const sectionTitles = optionLabels(form, 'section');
    const status = $('[data-search-status]');
    let timer = 0;
    let controller = null;
    let lastQuery = null;
    // How many results search as you type shows (the page without script shows 100).
    const TYPING_LIMIT = 20;

    const params = () => {
      const out = new URLSearchParams();
      new FormData(form).forEach((value, key) => {
        if (typeof value === 'string' && value.trim() !== '') out.append(key, value);
      });
      return out;
    };

    const renderEmptyPrompt = () => {
      const p = el('p', 'empty', 'Type a word or two: titles, answers, code and tags are searched. Press ');
      p.appendChild(el('kbd', '', '/'));
      p.appendChild(document.createTextNode(' anywhere to come here.'));
      results.replaceChildren(p);
    };

    // One result: its linked title and snippet (HTML escaped by the server, with <mark>
    // around the matched words) and the line of facts about it.
    const resultItem = (heading, className, found, meta) => {
      const li = el('li', className);
      const h = el(heading);
      const a = el('a');
      a.href = String(found.url || '#');
      a.innerHTML = String(found.title_html || '');
      h.appendChild(a);
      li.appendChild(h);
      li.appendChild(meta);
      const snippet = el('p', 'snippet');
      snippet.innerHTML = String(found.snippet_html || '');
      li.appendChild(snippet);
      return li;
    };

    // Threads of the community that mention the query (multi-user mode), below the results.
    const renderDiscussions = (threads) => {
      if (!Array.isArray(threads) || threads.length === 0) return [];
      const section = el('section', 'discussion-results');
      section.setAttribute('aria-labelledby', 'discussion-results-title');
      const h2 = el('h2', '', 'In the discussions');
      h2.id = 'discussion-results-title';
      section.appendChild(h2);
      const list = el('ol', 'results');
      threads.forEach((t) => {
        let meta = `On “${String(t.question_title || '')}”`;
        if (t.matches > 1) meta += ` · ${Number(t.matches)} posts match`;
        list.appendChild(resultItem('h3', 'result', t, el('p', 'result-meta', meta)));
      });
      section.appendChild(list);
      return [section];
    };

    const renderResults = (hits, total, suggestion, threads, pageUrl) => {
      const nodes = [];
      const count = Number.isFinite(total) ? total : hits.length;
      let countText = `${count} ${count === 1 ? 'result' : 'results'}`;
      if (count > hits.length) countText += ` (the best ${hits.length} shown)`;
      const countLine = el('p', 'result-count', countText);
      if (count > hits.length && hits.length === TYPING_LIMIT) {
        // As you type only the first few come; the page itself lists the best 100.
        countLine.appendChild(document.createTextNode(' · '));
        const more = el('a', '', 'show more');
        more.href = pageUrl;
        countLine.appendChild(more);
      }
      nodes.push(countLine);
      if (hits.length === 0) {
        if (suggestion) {
          const p = el('p', 'did-you-mean', 'Did you mean ');
          const a = el('a', '', suggestion);
          a.href = `/search?q=${encodeURIComponent(suggestion)}`;
          p.appendChild(a);
          p.appendChild(document.createTextNode('?'));
          nodes.push(p);
        }
        nodes.push(el('p', 'empty', 'Nothing matches. Try fewer words, or remove a filter.'));
      }
      const list = el('ol', 'results');
      hits.forEach((hit) => {
        const meta = el('p', 'result-meta');
        const guide = guideTitles.get(hit.guide) || String(hit.guide || '');
        const section = sectionTitles.get(hit.section) || String(hit.section || '');
        meta.appendChild(document.createTextNode(`${guide} › ${section}`));
        if (hit.level) {
          meta.appendChild(document.createTextNode(' · '));
          meta.appendChild(el('span', `pill level-${String(hit.level).replace(/[^a-z]/g, '')}`, String(hit.level)));
        }
        if (hit.mastered) {
          meta.appendChild(document.createTextNode(' · '));
          meta.appendChild(el('span', 'pill mastered-pill', 'mastered'));
        }
        list.appendChild(resultItem('h2', hit.mastered ? 'result mastered' : 'result', hit, meta));
      });
      nodes.push(list);
      nodes.push(...renderDiscussions(threads));
      results.replaceChildren(...nodes);
      if (status) status.textContent = countText;
    };

    // `fallback`: on failure, submit the form the ordinary way (the server renders it).
    const run = async (fallback = false) => {
      const query = params();
      const key = query.toString();
      if (key === lastQuery) return;
      lastQuery = key;
      const pageUrl = key ? `/search?${key}` : '/search';
      try {
        window.history.replaceState(window.history.state, '', pageUrl);
      } catch (_) {
        /* ignore */
      }
      if (controller) controller.abort();
      if (!key) {
        controller = null;
        renderEmptyPrompt();
        if (status) status.textContent = '';
        return;
      }
      controller = typeof AbortController === 'function' ? new AbortController() : null;
      results.classList.add('is-loading');
      try {
        const get = (url) =>
          fetch(url, {
            headers: { Accept: 'application/json' },
            credentials: 'same-origin',
            signal: controller ? controller.signal : undefined,
          });
        const words = query.get('q') || '';
        const discussions =
          form.hasAttribute('data-discussions') && words.trim() !== ''
            ? get(`/api/v1/search/discussions?q=${encodeURIComponent(words)}`)
                .then((r) => (r.ok ? r.json() : []))
                .catch((e) => {
                  if (e && e.name === 'AbortError') throw e;
                  return [];
                })
            : Promise.resolve([]);
        // Only the results shown are asked for: the server formats no others.
        const response = await get(`/api/v1/search?${key}&limit=${TYPING_LIMIT}`);
        if (!response.ok) throw new Error(String(response.status));
        const threads = await discussions;
        const hits = await response.json();
        const total = Number.parseInt(response.headers.get('x-total-count') || '', 10);
        let suggestion = response.headers.get('x-did-you-mean') || '';
        try {
          suggestion = decodeURIComponent(suggestion);
        } catch (_) {
          suggestion = '';
        }
        if (Array.isArray(hits)) renderResults(hits, total, suggestion, threads, pageUrl);
        results.classList.remove('is-loading');
      } catch (error) {
        if (error && error.name === 'AbortError') return;
        results.classList.remove('is-loading');
        lastQuery = null;
        if (fallback) form.submit();
      }
    };

    const schedule = () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(run, 150);
    };

    input.addEventListener('input', schedule);
    // Arrow keys move between the results (from the box too); Enter opens the one focused.
    const resultLinks = () => Array.from(results.querySelectorAll('.result h2 a, .result h3 a'));
    const onArrow = (event) => {
      if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
      const links = resultLinks();
      if (links.length === 0) return;
      const at = links.indexOf(document.activeElement);
      let next;
      if (event.key === 'ArrowDown') next = at < 0 ? 0 : Math.min(at + 1, links.length - 1);
      else if (at <= 0) next = -1;
      else next = at - 1;
      event.preventDefault();
      if (next < 0) input.focus();
      else links[next].focus();
    };
    input.addEventListener('keydown', onArrow);
    results.addEventListener('keydown', onArrow);
    form.addEventListener('change', (event) => {
      const target = event.target;
      if (!(target instanceof HTMLSelectElement)) return;
      if (target.name === 'guide') {
        // The section and tag choices depend on the guide: let the server redraw them.
        form.submit();
        return;
      }
      window.clearTimeout(timer);
      run();
    });
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      window.clearTimeout(timer);
      lastQuery = null;
      run(true);
    });
  };

  // ------------------------------------------------------------ 4. Keyboard shortcuts

  let currentCard = null;

  const cards = () => $$('.card').filter((card) => $('button.check', card));

  const focusCard = (card) => {
    const button = card && $('button.check', card);
    if (!button) return;
    currentCard = card;
    button.focus({ preventScroll: true });
    // Bring the card near the top unless it is already comfortably in view.
    const box = card.getBoundingClientRect();
    const height = window.innerHeight || document.documentElement.clientHeight;
    if (box.top < 0 || box.top > height * 0.6) {
      card.scrollIntoView({ block: 'start', behavior: reducedMotion() ? 'auto' : 'smooth' });
    }
  };

  const activeCard = () => {
    const focused = document.activeElement;
    const card = focused && focused.closest ? focused.closest('.card') : null;
    if (card) return card;
    return currentCard && document.contains(currentCard) ? currentCard : null;
  };

  const moveCard = (step) => {
    const list = cards();
    if (list.length === 0) return;
    const current = activeCard();
    let index = current ? list.indexOf(current) : -1;
    if (index === -1) {
      // Start from what is on screen.
      const height = window.innerHeight || document.documentElement.clientHeight;
      if (step > 0) {
        index = list.findIndex((card) => card.getBoundingClientRect().bottom > 0);
      } else {
        const above = list.filter((card) => card.getBoundingClientRect().top < height);
        index = above.length ? list.indexOf(above[above.length - 1]) : 0;
      }
      focusCard(list[Math.max(0, index)]);
      return;
    }
    const next = Math.min(list.length - 1, Math.max(0, index + step));
    focusCard(list[next]);
  };

  const isTyping = (target) => {
    if (!target || !(target instanceof Element)) return false;
    if (target.isContentEditable) return true;
    return Boolean(target.closest('input, textarea, select, [contenteditable]'));
  };

  // The shortcuts dialog.
  const dialog = () => $('#shortcuts');
  let returnFocus = null;

  const openShortcuts = () => {
    const d = dialog();
    if (!d || !d.hidden) return;
    returnFocus = document.activeElement;
    d.hidden = false;
    const close = $('[data-shortcuts-close]', d);
    if (close) close.focus();
  };

  const closeShortcuts = () => {
    const d = dialog();
    if (!d || d.hidden) return;
    d.hidden = true;
    const back = returnFocus && document.contains(returnFocus) ? returnFocus : $('[data-shortcuts-open]');
    if (back && typeof back.focus === 'function') back.focus();
    returnFocus = null;
  };

  const initShortcuts = () => {
    const d = dialog();
    const open = $('[data-shortcuts-open]');
    if (open && d) {
      open.hidden = false;
      open.addEventListener('click', openShortcuts);
    }
    if (d) {
      const close = $('[data-shortcuts-close]', d);
      if (close) close.addEventListener('click', closeShortcuts);
      d.addEventListener('click', (event) => {
        if (event.target === d) closeShortcuts(); // a click on the backdrop
      });
      d.addEventListener('keydown', (event) => {
        if (event.key === 'Tab') {
          // Keep focus inside the modal dialog.
          const focusable = $$('button, [href], input, select, textarea, [tabindex]:not([tabindex="-1"])', d);
          if (focusable.length === 0) return;
          const first = focusable[0];
          const last = focusable[focusable.length - 1];
          if (event.shiftKey && document.activeElement === first) {
            event.preventDefault();
            last.focus();
          } else if (!event.shiftKey && document.activeElement === last) {
            event.preventDefault();
            first.focus();
          }
        }
      });
    }

    document.addEventListener('focusin', (event) => {
      const card = event.target instanceof Element ? event.target.closest('.card') : null;
      if (card) currentCard = card;
    });

    document.addEventListener('keydown', (event) => {
      if (event.defaultPrevented) return;
      const d2 = dialog();
      if (d2 && !d2.hidden) {
        if (event.key === 'Escape') {
          event.preventDefault();
          closeShortcuts();
        }
        return;
      }
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      if (isTyping(event.target)) return;
      switch (event.key) {
        case '/': {
          const input = $('[data-search-input]') || $('#site-search');
          if (!input) return;
          event.preventDefault();
          input.focus();
          if (typeof input.select === 'function') input.select();
          break;
        }
        case 'j':
          event.preventDefault();
          moveCard(1);
          break;
        case 'k':
          event.preventDefault();
          moveCard(-1);
          break;
        case 'x': {
          const card = activeCard();
          const button = card && $('button.check', card);
          if (!button) return;
          event.preventDefault();
          button.click();
          break;
        }
        case 'o': {
          const card = activeCard();
          const details = card && $('details.card-body', card);
          if (!details) return;
          event.preventDefault();
          details.open = !details.open;
          break;
        }
        case '?':
          if (!dialog()) return;
          event.preventDefault();
          openShortcuts();
          break;
        default:
      }
    });
  };

  // ------------------------------------------------------------ 5. Copy buttons

  const copyText = async (text) => {
    if (navigator.clipboard && typeof navigator.clipboard.writeText === 'function') {
      await navigator.clipboard.writeText(text);
      return;
    }
    throw new Error('no clipboard');
  };

  const selectContents = (node) => {
    const selection = window.getSelection && window.getSelection();
    if (!selection) return;
    const range = document.createRange();
    range.selectNodeContents(node);
    selection.removeAllRanges();
    selection.addRange(range);
  };

  const initCopyButtons = () => {
    $$('.code-block').forEach((block) => {
      const pre = $('pre.code', block) || $('pre', block);
      if (!pre || $('.copy-button', block)) return;
      const frame = el('div', 'code-frame');
      pre.parentNode.insertBefore(frame, pre);
      frame.appendChild(pre);
      const button = el('button', 'copy-button', 'Copy');
      button.type = 'button';
      button.setAttribute('aria-label', 'Copy code');
      frame.appendChild(button);
      let timer = 0;
      button.addEventListener('click', async () => {
        const code = $('code', pre) || pre;
        window.clearTimeout(timer);
        try {
          await copyText(code.textContent || '');
          button.textContent = 'Copied';
          button.classList.add('is-copied');
          announce('Code copied');
        } catch (_) {
          selectContents(code);
          button.textContent = 'Press Ctrl+C';
          announce('Code selected: press Control C to copy');
        }
        timer = window.setTimeout(() => {
          button.textContent = 'Copy';
          button.classList.remove('is-copied');
        }, 1500);
      });
    });
  };

  // ------------------------------------------------------------ 6. Expand all; open #card

  const initExpandAll = () => {
    const button = $('[data-expand-all]');
    const all = () => $$('details.card-body');
    if (button && all().length > 0) {
      const label = () => {
        const allOpen = all().every((d) => d.open);
        button.textContent = allOpen ? 'Collapse all answers' : 'Expand all answers';
        button.setAttribute('aria-expanded', String(allOpen));
      };
      button.hidden = false;
      label();
      button.addEventListener('click', () => {
        const open = !all().every((d) => d.open);
        all().forEach((d) => {
          d.open = open;
        });
        label();
      });
      let pending = 0;
      document.addEventListener(
        'toggle',
        (event) => {
          if (!(event.target instanceof HTMLDetailsElement) || !event.target.classList.contains('card-body')) return;
          window.cancelAnimationFrame(pending);
          pending = window.requestAnimationFrame(label);
        },
        true,
      );
    }

    const openTarget = () => {
      const id = window.location.hash.slice(1);
      if (!id) return;
      let target = null;
      try {
        target = document.getElementById(decodeURIComponent(id));
      } catch (_) {
        target = document.getElementById(id);
      }
      if (!target) return;
      const card = target.closest('.card');
      const body = card ? $('details.card-body', card) : null;
      if (body) body.open = true;
      // A heading inside an answer: open every details around it.
      for (let d = target.closest('details'); d; d = d.parentElement && d.parentElement.closest('details')) {
        d.open = true;
      }
      if (card) currentCard = card;
    };
    openTarget();
    window.addEventListener('hashchange', openTarget);
  };

  // ------------------------------------------------------------ Rail: current section

  const initRail = () => {
    const rail = $('nav.rail');
    const sections = $$('section[data-section]');
    if (!rail || sections.length === 0 || typeof IntersectionObserver !== 'function') return;
    const list = $('.rail-sections', rail);
    const links = new Map();
    $$('[data-section-link]', rail).forEach((a) => links.set(a.getAttribute('data-section-link'), a));
    const visible = new Set();
    let current = null;

    const show = (id) => {
      if (id === current) return;
      current = id;
      links.forEach((a, key) => {
        const on = key === id;
        a.classList.toggle('is-current', on);
        if (on) a.setAttribute('aria-current', 'true');
        else a.removeAttribute('aria-current');
      });
      // On phones the rail is a horizontal strip: bring the current section into it.
      const link = links.get(id);
      if (link && list && list.scrollWidth > list.clientWidth + 1) {
        const item = link.closest('li') || link;
        const itemBox = item.getBoundingClientRect();
        const listBox = list.getBoundingClientRect();
        const pad = parseFloat(window.getComputedStyle(list).paddingLeft) || 0;
        if (itemBox.left < listBox.left + pad || itemBox.right > listBox.right - pad) {
          const left = list.scrollLeft + itemBox.left - listBox.left - pad;
          if (typeof list.scrollTo === 'function') {
            list.scrollTo({ left, behavior: reducedMotion() ? 'auto' : 'smooth' });
          } else {
            list.scrollLeft = left;
          }
        }
      }
    };

    const observer = new IntersectionObserver(
      (entries) => {
        entries.forEach((entry) => {
          const id = entry.target.getAttribute('data-section');
          if (entry.isIntersecting) visible.add(id);
          else visible.delete(id);
        });
        const first = sections.find((s) => visible.has(s.getAttribute('data-section')));
        if (first) show(first.getAttribute('data-section'));
      },
      { rootMargin: '-25% 0px -65% 0px', threshold: 0 },
    );
    sections.forEach((s) => observer.observe(s));
  };

  // ------------------------------------------------------------ 7. Notes

  const initNoteForm = () => {
    const form = $('form[data-note-form]');
    if (!form || typeof fetch !== 'function') return;
    const textarea = $('textarea[name="body"]', form);
    const status = $('[data-note-status]', form);
    const target = questionPath(form, 'note');
    if (!textarea || !target) return;
    let busy = false;
    textarea.addEventListener('input', () => {
      if (status && status.textContent) {
        status.textContent = '';
        status.classList.remove('is-error');
      }
    });
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (busy) return;
      busy = true;
      form.setAttribute('aria-busy', 'true');
      if (status) status.textContent = 'Saving…';
      try {
        const url = `/api/v1/guides/${target.guide}/questions/${target.question}/note`;
        const note = await api('PUT', url, { body: textarea.value });
        if (status) status.textContent = 'Saved';
        // The preview above the form: sanitised HTML rendered by the server.
        const section = form.closest('.note');
        let preview = section ? $('.note-body', section) : null;
        const html = note && typeof note.html === 'string' ? note.html : null;
        if (section && html !== null) {
          if (html.trim() === '') {
            if (preview) preview.remove();
          } else {
            if (!preview) {
              preview = el('div', 'prose note-body');
              section.insertBefore(preview, form);
            }
            preview.innerHTML = html;
          }
        }
      } catch (_) {
        if (status) status.textContent = '';
        form.submit();
      } finally {
        busy = false;
        form.removeAttribute('aria-busy');
      }
    });
  };

  // ------------------------------------------------------------ 8. Suggestion live diff
  // The suggestion form's change, redrawn as the text is edited (the "Preview the change"
  // button does the same on the server, with the guide's checks). A line diff by longest
  // common subsequence; unchanged runs longer than six lines fold, as the server folds them.

  const diffLines = (oldText, newText) => {
    const a = oldText.replace(/\r\n?/g, '\n').split('\n');
    const b = newText.replace(/\r\n?/g, '\n').split('\n');
    while (a.length && a[a.length - 1].trim() === '') a.pop();
    while (b.length && b[b.length - 1].trim() === '') b.pop();
    const n = a.length;
    const m = b.length;
    // Beyond this many cells the table would be too slow to redraw per keystroke.
    if (n * m > 4000000) return null;
    const width = m + 1;
    const lcs = new Uint32Array((n + 1) * width);
    for (let i = n - 1; i >= 0; i -= 1) {
      for (let j = m - 1; j >= 0; j -= 1) {
        lcs[i * width + j] = a[i].trimEnd() === b[j].trimEnd()
          ? lcs[(i + 1) * width + j + 1] + 1
          : Math.max(lcs[(i + 1) * width + j], lcs[i * width + j + 1]);
      }
    }
    const out = [];
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && a[i].trimEnd() === b[j].trimEnd()) {
        out.push([' ', b[j]]);
        i += 1;
        j += 1;
      } else if (j < m && (i === n || lcs[i * width + j + 1] >= lcs[(i + 1) * width + j])) {
        out.push(['+', b[j]]);
        j += 1;
      } else {
        out.push(['-', a[i]]);
        i += 1;
      }
    }
    return out;
  };

  const drawDiff = (target, lines) => {
    target.textContent = '';
    const changed = lines.map((l, k) => (l[0] === ' ' ? -1 : k)).filter((k) => k >= 0);
    if (changed.length === 0) {
      const p = document.createElement('p');
      p.className = 'muted';
      p.textContent = 'No change yet.';
      target.appendChild(p);
      return;
    }
    const near = (k) => changed.some((c) => k + 3 >= c && k <= c + 3);
    const pre = document.createElement('pre');
    pre.className = 'diff';
    pre.setAttribute('aria-label', 'The change, line by line: lines starting with a minus sign are removed, with a plus sign added');
    let folded = 0;
    const fold = () => {
      if (folded === 0) return;
      const span = document.createElement('span');
      span.className = 'diff-folded';
      span.textContent = `  … ${folded} unchanged line${folded === 1 ? '' : 's'}`;
      pre.appendChild(span);
      folded = 0;
    };
    lines.forEach(([tag, text], k) => {
      if (tag === ' ' && !near(k)) {
        folded += 1;
        return;
      }
      fold();
      const span = document.createElement('span');
      span.className = tag === '+' ? 'diff-added' : tag === '-' ? 'diff-removed' : 'diff-kept';
      span.textContent = `${tag} ${text}`;
      pre.appendChild(span);
    });
    fold();
    target.appendChild(pre);
  };

  // The notifications page: what it shows counts as seen once the page is shown (the
  // form is a button without this script).
  const initAutoRead = () => {
    const form = document.querySelector('form[data-auto-read]');
    if (!form) return;
    const body = new URLSearchParams(new FormData(form));
    fetch(form.action, { method: 'POST', body, credentials: 'same-origin', redirect: 'manual' })
      .then(() => {
        form.hidden = true;
        const count = document.querySelector('.notifications-link .count');
        if (count) count.remove();
      })
      .catch(() => {});
  };

  const initSuggestionDiff = () => {
    const box = document.querySelector('textarea[data-live-diff]');
    if (!box) return;
    const target = document.getElementById(box.dataset.liveDiff);
    const base = document.getElementById(box.dataset.base);
    if (!target || !base) return;
    let timer = 0;
    const redraw = () => {
      const lines = diffLines(base.value, box.value);
      if (lines) {
        drawDiff(target, lines);
      } else {
        target.textContent = '';
        const p = document.createElement('p');
        p.className = 'muted';
        p.textContent = 'This text is too long to compare as you type: use “Preview the change”.';
        target.appendChild(p);
      }
    };
    box.addEventListener('input', () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(redraw, 150);
    });
  };

  // ------------------------------------------------------------ Start

  const start = () => {
    const steps = [
      initMarkForms,
      initThemeToggle,
      initSearch,
      initShortcuts,
      initCopyButtons,
      initExpandAll,
      initRail,
      initNoteForm,
      initSuggestionDiff,
      initAutoRead,
    ];
    steps.forEach((step) => {
      try {
        step();
      } catch (error) {
        // One broken enhancement must not take the others down; the page still works.
        if (window.console) window.console.error(error);
      }
    });
  };

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start, { once: true });
  } else {
    start();
  }
})();

/* Study page: Space shows the answer, 1-4 rate, u undoes. The page works without this:
 * the answer is a <details> and every rating is a form. */
(function () {
  'use strict';
  var page = document.querySelector('[data-study]');
  if (!page) return;
  function typing(el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }
  document.addEventListener('keydown', function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    var answer = page.querySelector('[data-study-answer]');
    if (event.key === ' ' && answer) {
      event.preventDefault();
      answer.open = !answer.open;
      if (answer.open) {
        var first = answer.querySelector('.rate');
        if (first) first.focus({ preventScroll: true });
      }
    } else if (/^[1-4]$/.test(event.key) && answer && answer.open) {
      var button = answer.querySelector('.rate[data-rating="' + event.key + '"]');
      if (button) {
        event.preventDefault();
        button.form.requestSubmit ? button.form.requestSubmit(button) : button.form.submit();
      }
    } else if (event.key === 'u') {
      var undo = page.querySelector('[data-undo-form]');
      if (undo) {
        event.preventDefault();
        undo.submit();
      }
    }
  });
})();

/* Settings: the study form sends this browser's UTC offset, so days start at the
 * learner's local hour (without JavaScript the stored offset is kept). */
(function () {
  'use strict';
  var field = document.querySelector('[data-utc-offset]');
  if (field) field.value = String(-new Date().getTimezoneOffset());
})();

/* Mock interviews. The pages work without this: the server shows the time left and records
 * a late answer as timed out, every tick is a form ("Save ticks"), and the browser prints.
 * With it: the countdown ticks every second and, at zero, submits what was typed (or
 * reloads, so the server records the time-out); Ctrl+Enter submits the answer; ticks are
 * saved as they change, with the score and the next step updated in place; Print prints. */
(function () {
  'use strict';

  var printButton = document.querySelector('[data-print]');
  if (printButton && typeof window.print === 'function') {
    printButton.hidden = false;
    printButton.addEventListener('click', function () {
      window.print();
    });
  }

  var page = document.querySelector('[data-interview]');
  if (!page) return;
  var id = page.getAttribute('data-interview') || '';

  function csrf() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute('content') || '' : '';
  }

  // ---- The answer: Ctrl+Enter, one submission only, the countdown.
  var form = page.querySelector('[data-answer-form]');
  var text = page.querySelector('[data-answer-text]');
  var submitted = false;

  function submitAnswer() {
    if (!form || submitted) return;
    if (typeof form.requestSubmit === 'function') {
      form.requestSubmit();
    } else {
      submitted = true;
      form.submit();
    }
  }

  if (form) {
    form.addEventListener('submit', function (event) {
      if (submitted) {
        event.preventDefault();
        return;
      }
      submitted = true;
    });
  }
  if (text) {
    text.addEventListener('keydown', function (event) {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        submitAnswer();
      }
    });
  }

  var timer = page.querySelector('[data-countdown]');
  if (timer && form) {
    var remaining = Number(timer.getAttribute('data-remaining-ms')) || 0;
    var budget = Number(timer.getAttribute('data-budget-ms')) || 0;
    var grace = Number(timer.getAttribute('data-grace-ms')) || 2000;
    // Measured from now on this machine's clock, so a skewed clock does not matter.
    var end = Date.now() + remaining;
    var clock = timer.querySelector('[data-countdown-clock]');
    var fill = timer.querySelector('[data-countdown-fill]');
    var status = timer.querySelector('[data-countdown-status]');
    var timeUpNote = page.querySelector('[data-timeup]');
    var oneMinuteSaid = remaining <= 60000;
    var handle = 0;

    var format = function (ms) {
      var seconds = Math.ceil(ms / 1000);
      var s = seconds % 60;
      return Math.floor(seconds / 60) + ':' + (s < 10 ? '0' : '') + s;
    };

    var timeUp = function () {
      timer.classList.add('is-up');
      if (submitted) return;
      if (timeUpNote) timeUpNote.hidden = false;
      if (text && text.value.trim() !== '') {
        if (timeUpNote) timeUpNote.textContent = 'Time is up: submitting what you typed.';
        submitAnswer();
      } else {
        if (timeUpNote) timeUpNote.textContent = 'Time is up.';
        // Nothing typed: once the grace period is over the server records the time-out.
        window.setTimeout(function () {
          if (!submitted) window.location.reload();
        }, grace + 500);
      }
    };

    var tick = function () {
      var left = Math.max(0, end - Date.now());
      if (clock) clock.textContent = format(left);
      if (fill && budget > 0) fill.setAttribute('data-percent', String(Math.round((left * 100) / budget)));
      timer.classList.toggle('is-low', left <= 30000);
      if (!oneMinuteSaid && left <= 60000) {
        oneMinuteSaid = true;
        if (status) status.textContent = 'One minute left';
      }
      if (left <= 0) {
        window.clearInterval(handle);
        timeUp();
      }
    };
    handle = window.setInterval(tick, 1000);
    tick();
  }

  // ---- The checklist: each tick saved as it changes.
  var ticks = page.querySelector('[data-ticks-form]');
  if (!ticks || typeof fetch !== 'function') return;
  var item = Number(ticks.getAttribute('data-item'));
  var save = ticks.querySelector('[data-save-ticks]');
  var tickStatus = ticks.querySelector('[data-ticks-status]');
  var labels = { follow_up: 'Follow-up question', next: 'Next question', finish: 'Finish and see the report' };
  if (save) save.hidden = true;

  var apply = function (state) {
    var it = state && state.items ? state.items[item] : null;
    if (!it) return;
    var points = it.key_points || [];
    var covered = 0;
    points.forEach(function (p, k) {
      if (p.ticked) covered += 1;
      var li = ticks.querySelector('[data-point="' + k + '"]');
      if (!li) return;
      li.classList.toggle('is-ticked', Boolean(p.ticked));
      var box = li.querySelector('input[type="checkbox"]');
      if (box) box.checked = Boolean(p.ticked);
      var corrected = p.corrected === true || p.corrected === false;
      var badge = li.querySelector('[data-point-badge]');
      var kind = corrected ? 'corrected' : p.auto ? 'auto' : '';
      if (badge) {
        badge.textContent = kind;
        badge.className = 'iv-badge badge-' + kind + (kind ? '' : ' is-empty');
      }
      var note = li.querySelector('[data-point-note]');
      if (note) {
        note.textContent = corrected
          ? p.corrected
            ? 'ticked by you'
            : 'unticked by you'
          : note.getAttribute('data-auto-note') || '';
      }
    });
    var percent = points.length ? Math.round((covered * 100) / points.length) : 0;
    var c = page.querySelector('[data-iv-covered]');
    if (c) c.textContent = String(covered);
    var pc = page.querySelector('[data-iv-percent]');
    if (pc) pc.textContent = String(percent);
    var f = page.querySelector('[data-iv-fill]');
    if (f) f.setAttribute('data-percent', String(percent));
    var next = page.querySelector('[data-next-button]');
    if (next && state.next && labels[state.next]) {
      next.textContent = labels[state.next];
      next.setAttribute('data-next', state.next);
      var finishForm = page.querySelector('[data-finish-form]');
      if (finishForm) finishForm.hidden = state.next === 'finish';
    }
  };

  ticks.addEventListener('change', function (event) {
    var box = event.target;
    if (!box || box.type !== 'checkbox') return;
    var keyPoint = Number(box.getAttribute('data-key-point'));
    var wanted = box.checked;
    box.disabled = true;
    if (tickStatus) tickStatus.textContent = 'Saving…';
    fetch('/api/v1/interviews/' + encodeURIComponent(id) + '/corrections', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-Token': csrf() },
      body: JSON.stringify({ item: item, key_point: keyPoint, ticked: wanted }),
    })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (state) {
        apply(state);
        if (tickStatus) tickStatus.textContent = 'Saved';
      })
      .catch(function () {
        box.checked = !wanted;
        if (save) save.hidden = false;
        if (tickStatus) tickStatus.textContent = 'Not saved: reload the page and try again.';
      })
      .then(function () {
        box.disabled = false;
        box.focus();
      });
  });
})();
