// The page of `tierbook serve`. It talks to this server only (the token from
// the address goes with every request as X-Tierbook-Token) and writes every
// text that comes from a file with textContent, never as HTML.
'use strict';

const KINDS = ['ledger', 'receipts', 'customers', 'previous'];
const DOWNLOADS = ['evaluation', 'json', 'handouts', 'monthly', 'reconciliation'];
/** The workbooks made on request from the graded files: download key → API route. */
const JOBS = { handouts: 'handouts', monthly: 'monthly', reconciliation: 'reconcile' };
const PAGE_ROWS = 200;
const ISSUE_ROWS = 500;

const state = {
  token: new URLSearchParams(location.search).get('token') || '',
  labels: null,
  lang: 'zh-CN',
  files: { ledger: [], receipts: [], customers: [], previous: [] },
  rulesFile: null,
  maxUpload: Infinity,
  check: null,
  result: null,
  /** The form the shown grades were made from, sent again for the other workbooks. */
  graded: null,
  splitBy: 'region',
  seconds: 0,
  sort: { key: null, desc: false },
  shown: PAGE_ROWS,
  busy: false,
};

const $ = (id) => document.getElementById(id);

/** Fills `{name}` placeholders in one pass, as tierbook's labels::fill does. */
function fill(template, args) {
  let out = '';
  let rest = template;
  for (;;) {
    const open = rest.indexOf('{');
    if (open < 0) break;
    out += rest.slice(0, open);
    const after = rest.slice(open + 1);
    const close = after.indexOf('}');
    const name = close >= 0 ? after.slice(0, close) : null;
    if (name !== null && Object.prototype.hasOwnProperty.call(args, name)) {
      out += String(args[name]);
      rest = after.slice(close + 1);
    } else {
      out += '{';
      rest = after;
    }
  }
  return out + rest;
}

/** An element with text (never HTML) and classes. */
function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}

const L = () => state.labels[state.lang];
const kindName = (kind) => L().cli['kind_' + kind] || kind;

function api(path, options = {}) {
  const headers = Object.assign({ 'X-Tierbook-Token': state.token }, options.headers || {});
  return fetch(path, Object.assign({}, options, { headers }));
}

// ---------------------------------------------------------------------------
// Language

function pickLanguage() {
  const asked = new URLSearchParams(location.search).get('lang');
  const wanted = [asked, ...(navigator.languages || [navigator.language])].filter(Boolean);
  for (const w of wanted) {
    const l = w.toLowerCase();
    if (l === 'en' || l.startsWith('en-')) return 'en';
    if (l === 'zh-tw' || l === 'zh-hk' || l === 'zh-mo' || l.startsWith('zh-hant')) return 'zh-TW';
    if (l === 'zh' || l.startsWith('zh-')) return 'zh-CN';
  }
  return 'zh-CN';
}

function applyTexts() {
  const t = L();
  document.documentElement.lang = state.lang;
  document.title = 'tierbook · ' + t.page.title;
  for (const e of document.querySelectorAll('[data-t]')) e.textContent = t.page[e.dataset.t];
  for (const e of document.querySelectorAll('[data-b]')) e.textContent = t.book[e.dataset.b];
  for (const e of document.querySelectorAll('[data-k]')) e.textContent = t.book['kind_' + e.dataset.k];
  $('filter').placeholder = t.page.filter_placeholder;
  for (const kind of KINDS) renderChosen(kind);
  if (state.check) renderCheck(state.check);
  if (state.result) renderResult();
}

// ---------------------------------------------------------------------------
// Choosing files

function addFiles(kind, list) {
  for (const f of list) state.files[kind].push(f);
  renderChosen(kind);
}

function renderChosen(kind) {
  const ul = document.querySelector(`.drop[data-kind="${kind}"] .chosen`);
  ul.replaceChildren();
  state.files[kind].forEach((f, i) => {
    const li = el('li');
    li.append(el('span', f.name));
    const rm = el('button', '×');
    rm.type = 'button';
    rm.title = L().page.remove;
    rm.setAttribute('aria-label', L().page.remove + ' ' + f.name);
    rm.addEventListener('click', () => {
      state.files[kind].splice(i, 1);
      renderChosen(kind);
    });
    li.append(rm);
    ul.append(li);
  });
}

function setUpDrops() {
  for (const zone of document.querySelectorAll('.drop')) {
    const kind = zone.dataset.kind;
    const input = zone.querySelector('input[type=file]');
    input.addEventListener('change', () => {
      addFiles(kind, input.files);
      input.value = '';
    });
    zone.addEventListener('dragover', (e) => {
      e.preventDefault();
      zone.classList.add('over');
    });
    zone.addEventListener('dragleave', () => zone.classList.remove('over'));
    zone.addEventListener('drop', (e) => {
      e.preventDefault();
      zone.classList.remove('over');
      if (e.dataTransfer && e.dataTransfer.files) addFiles(kind, e.dataTransfer.files);
    });
  }
  // A file dropped beside the areas must not make the browser leave the page.
  window.addEventListener('dragover', (e) => e.preventDefault());
  window.addEventListener('drop', (e) => e.preventDefault());
  $('template').addEventListener('change', () => {
    if ($('template').value === 'file') $('rules-file').click();
  });
  $('rules-file').addEventListener('change', () => {
    state.rulesFile = $('rules-file').files[0] || null;
    const opt = document.querySelector('#template option[value=file]');
    opt.textContent = L().page.template_file + (state.rulesFile ? ': ' + state.rulesFile.name : '');
  });
}

// ---------------------------------------------------------------------------
// Sending a run

function showError(message) {
  const box = $('error');
  box.textContent = message;
  box.hidden = !message;
}

function buildForm(needLedger) {
  const t = L().page;
  if (needLedger && state.files.ledger.length === 0) return { error: t.need_ledger };
  if (!needLedger && KINDS.every((k) => state.files[k].length === 0)) return { error: t.need_ledger };
  const form = new FormData();
  form.append('lang', state.lang);
  const asOf = $('as-of').value;
  if (asOf) form.append('as_of', asOf);
  if ($('template').value === 'file') {
    if (!state.rulesFile) return { error: t.need_rules_file };
    form.append('rules', state.rulesFile, state.rulesFile.name);
  } else {
    form.append('template', $('template').value);
  }
  let size = 0;
  for (const kind of KINDS) {
    for (const f of state.files[kind]) {
      form.append(kind, f, f.name);
      size += f.size;
    }
  }
  if (size > state.maxUpload) {
    const mb = (n) => (n / 1048576).toFixed(1);
    return { error: fill(t.too_large, { size: mb(size), limit: mb(state.maxUpload) }) };
  }
  return { form, size };
}

function randomId() {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function setBusy(busy) {
  state.busy = busy;
  $('check').disabled = busy;
  $('evaluate').disabled = busy;
  for (const b of document.querySelectorAll('#downloads button')) b.disabled = busy || b.dataset.off === 'true';
  $('progress').hidden = !busy;
}

function showStage(report) {
  const t = L().page;
  const bar = $('bar');
  let text = '';
  if (report.stage === 'reading') {
    text = fill(t.reading, { kind: kindName(report.kind), done: report.done, total: report.total });
    bar.value = report.total ? (100 * report.done) / report.total : 0;
  } else if (report.stage === 'computing') {
    text = t.computing;
    bar.removeAttribute('value');
  } else if (report.stage === 'writing') {
    text = t.writing;
    bar.removeAttribute('value');
  } else {
    return;
  }
  const seconds = (report.elapsed_ms / 1000).toFixed(1);
  $('status').textContent = text + ' · ' + fill(t.elapsed, { seconds });
}

/** Posts the form to `path`, shows progress, and calls `done(status, body)`. */
function send(path, form, size, done) {
  const job = randomId();
  const started = performance.now();
  const xhr = new XMLHttpRequest();
  let poll = null;
  const stopPolling = () => {
    if (poll) clearInterval(poll);
    poll = null;
  };
  xhr.open('POST', path);
  xhr.setRequestHeader('X-Tierbook-Token', state.token);
  xhr.setRequestHeader('X-Tierbook-Job', job);
  xhr.upload.addEventListener('progress', (e) => {
    const total = e.lengthComputable ? e.total : size;
    const mb = (n) => (n / 1048576).toFixed(1);
    $('bar').value = total ? (100 * e.loaded) / total : 0;
    $('status').textContent = fill(L().page.uploading, { done: mb(e.loaded), total: mb(total) });
  });
  xhr.upload.addEventListener('load', () => {
    poll = setInterval(async () => {
      try {
        const r = await api('/api/progress/' + job);
        if (r.ok && poll) showStage(await r.json());
      } catch (_) {
        /* the answer will say */
      }
    }, 250);
  });
  xhr.addEventListener('load', () => {
    stopPolling();
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    let body = null;
    try {
      body = JSON.parse(xhr.responseText);
    } catch (_) {
      body = { error: xhr.responseText || xhr.statusText };
    }
    done(xhr.status, body, seconds);
  });
  xhr.addEventListener('error', () => {
    stopPolling();
    done(0, { error: L().page.unreachable });
  });
  setBusy(true);
  $('bar').value = 0;
  xhr.send(form);
}

function start(which) {
  if (state.busy) return;
  showError('');
  const built = buildForm(which === 'evaluate');
  if (built.error) {
    showError(built.error);
    return;
  }
  send('/api/' + which, built.form, built.size, (status, body, seconds) => {
    setBusy(false);
    if (which === 'check' && body && body.files) {
      state.check = body;
      renderCheck(body);
    }
    if (status === 200 && which === 'evaluate') {
      state.result = body;
      state.seconds = seconds;
      state.graded = { form: built.form, size: built.size, receipts: state.files.receipts.length > 0 };
      state.sort = { key: null, desc: false };
      state.shown = PAGE_ROWS;
      renderResult();
      $('results').scrollIntoView({ behavior: 'smooth', block: 'start' });
    }
    if (status !== 200) showError(L().page.failed + (body && body.error ? body.error : status));
  });
}

/** Sends the graded files to the job behind download `key` and saves what it wrote. */
function runJob(key) {
  if (state.busy || !state.graded) return;
  showError('');
  const form = new FormData();
  for (const [name, value] of state.graded.form.entries()) form.append(name, value);
  if (key === 'handouts') form.append('split_by', state.splitBy);
  send('/api/' + JOBS[key], form, state.graded.size, (status, body) => {
    setBusy(false);
    const url = status === 200 && body && body.downloads ? body.downloads[key] : null;
    if (url) {
      const a = el('a');
      a.href = url;
      a.setAttribute('download', '');
      a.hidden = true;
      document.body.append(a);
      a.click();
      a.remove();
    } else {
      showError(L().page.failed + (body && body.error ? body.error : status));
    }
  });
}

/** The buttons of the workbooks made on request, with the handouts' grouping. */
function jobButtons(box) {
  const t = L().page;
  for (const key of Object.keys(JOBS)) {
    const b = el('button', t['download_' + key], 'button');
    b.type = 'button';
    b.id = 'download-' + key;
    const off = key === 'reconciliation' && !(state.graded && state.graded.receipts);
    b.dataset.off = String(off);
    b.disabled = off || state.busy;
    if (off) b.title = t.needs_receipts;
    b.addEventListener('click', () => runJob(key));
    if (key === 'handouts') {
      const group = el('span', null, 'split');
      const select = el('select');
      select.id = 'split-by';
      select.setAttribute('aria-label', t.split_by);
      select.append(new Option(t.split_region, 'region'), new Option(t.split_sales_rep, 'sales_rep'));
      select.value = state.splitBy;
      select.addEventListener('change', () => {
        state.splitBy = select.value;
      });
      group.append(b, select);
      box.append(group);
    } else {
      box.append(b);
    }
  }
  if (!(state.graded && state.graded.receipts)) box.append(el('span', t.needs_receipts, 'hint'));
}

// ---------------------------------------------------------------------------
// What check read

function issueLine(i) {
  const c = L().cli;
  let place = '';
  if (i.row !== null && i.row !== undefined && i.column) place = fill(c.at_row_column, { row: i.row, column: i.column });
  else if (i.row !== null && i.row !== undefined) place = fill(c.at_row, { row: i.row });
  return fill(c.issue, { kind: L().issue_kinds[i.kind] || i.kind, place, message: i.message });
}

/** One file's sheets as a table: header row and counts per sheet. */
function sheetTable(sheets) {
  const b = L().book;
  const table = el('table', null, 'sheets');
  const head = el('tr');
  for (const h of [b.h_sheet, b.h_header_row, b.h_rows_read, b.h_accepted, b.h_rejected, b.h_totals_rows]) head.append(el('th', h));
  table.append(head);
  for (const s of sheets) {
    const tr = el('tr');
    tr.append(el('td', s.sheet));
    if (s.header_row === null) {
      const skipped = el('td', fill(L().cli.sheet_skipped, { sheet: s.sheet }), 'bad');
      skipped.colSpan = 5;
      tr.append(skipped);
    } else {
      for (const n of [s.header_row, s.rows_read, s.accepted, s.rejected, s.totals_rows]) tr.append(el('td', n, 'num'));
    }
    table.append(tr);
  }
  return table;
}

/** The column mappings: once when every sheet maps alike, else per sheet. */
function columnLines(sheets) {
  const c = L().cli;
  const line = (s) => fill(c.columns, {
    columns: Object.entries(s.columns).map(([field, header]) => fill(c.column_map, { field, header })).join(c.list_sep),
  });
  const read = sheets.filter((s) => s.header_row !== null);
  const distinct = new Set(read.map((s) => JSON.stringify(s.columns)));
  if (distinct.size === 1) return [line(read[0])];
  return read.map((s) => fill(c.sheet_notice, { sheet: s.sheet, message: line(s) }));
}

function renderCheck(body) {
  const c = L().cli;
  const t = L().page;
  $('check-result').hidden = false;
  const summary = $('check-summary');
  summary.textContent = body.ok ? t.check_ok : t.check_failed;
  summary.className = body.ok ? 'good' : 'bad';
  const list = $('check-files');
  list.replaceChildren();
  for (const f of body.files) {
    const box = el('div', null, 'file');
    box.append(el('h4', fill(c.file, { kind: kindName(f.kind), file: f.file }), f.ok ? '' : 'bad'));
    if (f.sheets.length) {
      const wrap = el('div', null, 'table-wrap');
      wrap.append(sheetTable(f.sheets));
      box.append(wrap);
    }
    for (const line of columnLines(f.sheets)) box.append(el('p', line, 'hint'));
    const ul = el('ul');
    for (const s of f.sheets) {
      for (const i of s.issues) ul.append(el('li', fill(c.sheet_notice, { sheet: s.sheet, message: issueLine(i) })));
      if (s.more_issues > 0) ul.append(el('li', fill(c.sheet_notice, { sheet: s.sheet, message: fill(c.more, { n: s.more_issues }) }), 'hint'));
    }
    for (const n of f.notices) ul.append(el('li', fill(c.sheet_notice, { sheet: n.sheet, message: n.message }), 'bad'));
    if (ul.children.length) box.append(ul);
    list.append(box);
  }
}

// ---------------------------------------------------------------------------
// Grades

function locale() {
  return state.lang === 'en' ? 'en-US' : state.lang;
}

function money(v) {
  if (v === null || v === undefined) return '';
  return Number(v).toLocaleString(locale(), { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

function score(v) {
  if (v === null || v === undefined) return '';
  return Number(v).toLocaleString(locale(), { maximumFractionDigits: 2 });
}

function percent(v) {
  if (v === null || v === undefined) return '';
  return (Number(v) * 100).toLocaleString(locale(), { maximumFractionDigits: 1 }) + '%';
}

function tierIndex(grade) {
  const tiers = state.result.tiers.map((t) => t.tier);
  const i = tiers.indexOf(grade);
  return i === tiers.length - 1 ? 'floor' : 't' + i;
}

function renderResult() {
  const r = state.result;
  const t = L().page;
  const b = L().book;
  $('results').hidden = false;
  const ledger = r.totals.ledger;
  $('summary').textContent = fill(t.results_summary, {
    as_of: r.as_of, start: r.window.start, end: r.window.end, rows: ledger.rows_read,
    accepted: ledger.accepted, rejected: ledger.rejected, customers: r.customers.length,
    seconds: state.seconds,
  });
  const downloads = $('downloads');
  downloads.replaceChildren(el('span', t.downloads));
  const keys = Object.keys(r.downloads || {}).sort((a, c) => DOWNLOADS.indexOf(a) - DOWNLOADS.indexOf(c));
  keys.forEach((key, n) => {
    const a = el('a', t['download_' + key] || key, n === 0 ? 'button primary' : 'button');
    a.href = r.downloads[key];
    a.id = 'download-' + key;
    a.setAttribute('download', '');
    downloads.append(a);
  });
  jobButtons(downloads);
  const tiers = $('tiers');
  tiers.replaceChildren();
  const head = el('tr');
  for (const h of [b.h_tier, b.h_label, b.h_customers, b.h_sales, b.h_share]) head.append(el('th', h));
  tiers.append(head);
  for (const row of r.tiers) {
    const tr = el('tr');
    const g = el('td');
    g.append(el('span', row.tier, 'grade ' + tierIndex(row.tier)));
    tr.append(g, el('td', row.label), el('td', row.customers, 'num'), el('td', money(row.sales), 'num'),
      el('td', percent(row.share), 'num'));
    tiers.append(tr);
  }
  const gradeFilter = $('grade-filter');
  const chosen = gradeFilter.value;
  gradeFilter.replaceChildren(new Option(t.all_grades, ''));
  for (const row of r.tiers) gradeFilter.append(new Option(row.tier + ' · ' + row.label, row.tier));
  gradeFilter.value = chosen;
  renderCustomers();
  renderIssues();
}

function columns() {
  const b = L().book;
  const changes = L().change;
  return [
    { key: 'id', nowrap: true, head: b.h_id, get: (c) => c.id || '' },
    { key: 'name', head: b.h_name, get: (c) => c.name || '' },
    { key: 'region', nowrap: true, head: b.h_region, get: (c) => c.region || '' },
    { key: 'sales_rep', nowrap: true, head: b.h_rep, get: (c) => c.sales_rep || '' },
    { key: 'sales', head: b.h_sales, get: (c) => Number(c.sales), show: (c) => money(c.sales), num: true },
    { key: 'composite_score', head: b.h_score, get: (c) => (c.composite_score === null ? -1 : Number(c.composite_score)), show: (c) => score(c.composite_score), num: true },
    { key: 'grade', head: b.h_grade, get: (c) => state.result.tiers.findIndex((t) => t.tier === c.grade), grade: true },
    { key: 'previous_grade', nowrap: true, head: b.h_previous, get: (c) => c.previous_grade || '' },
    { key: 'change', nowrap: true, head: b.h_change, get: (c) => changes[c.change] || c.change },
    { key: 'near_boundary', nowrap: true, head: b.h_near, get: (c) => (c.near_boundary ? b.near : '') },
    { key: 'to_next_tier', head: b.h_to_next, get: (c) => c.to_next_tier || '' },
    { key: 'reasons', head: b.h_reasons, get: (c) => c.reasons.join(' '), reasons: true },
  ];
}

function filtered() {
  const needle = $('filter').value.trim().toLowerCase();
  const grade = $('grade-filter').value;
  const near = $('near-only').checked;
  const rows = state.result.customers.filter((c) => {
    if (grade && c.grade !== grade) return false;
    if (near && !c.near_boundary) return false;
    if (!needle) return true;
    return [c.id, c.name, c.region, c.sales_rep].some((v) => v && String(v).toLowerCase().includes(needle));
  });
  const { key, desc } = state.sort;
  if (key) {
    const col = columns().find((c) => c.key === key);
    rows.sort((a, b) => {
      const x = col.get(a);
      const y = col.get(b);
      const order = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y), locale());
      return desc ? -order : order;
    });
  }
  return rows;
}

function renderCustomers() {
  const t = L().page;
  const cols = columns();
  const table = $('customers');
  const head = el('tr');
  for (const col of cols) {
    const th = el('th', col.head);
    th.dataset.key = col.key;
    if (state.sort.key === col.key) th.className = state.sort.desc ? 'desc' : 'asc';
    th.addEventListener('click', () => {
      const desc = state.sort.key === col.key ? !state.sort.desc : !!col.num;
      state.sort = { key: col.key, desc };
      renderCustomers();
    });
    head.append(th);
  }
  table.tHead.replaceChildren(head);
  const rows = filtered();
  const body = document.createDocumentFragment();
  for (const c of rows.slice(0, state.shown)) {
    const tr = el('tr');
    for (const col of cols) {
      if (col.grade) {
        const td = el('td');
        td.append(el('span', c.grade, 'grade ' + tierIndex(c.grade)));
        tr.append(td);
      } else if (col.reasons) {
        const td = el('td', null, 'reasons');
        for (const line of c.reasons) td.append(el('div', line));
        tr.append(td);
      } else {
        tr.append(el('td', col.show ? col.show(c) : col.get(c), col.num ? 'num' : col.nowrap ? 'nowrap' : ''));
      }
    }
    body.append(tr);
  }
  table.tBodies[0].replaceChildren(body);
  const shown = Math.min(state.shown, rows.length);
  $('showing').textContent = fill(t.showing, { shown, total: rows.length });
  const more = $('more');
  const left = rows.length - shown;
  more.hidden = left <= 0;
  more.textContent = fill(t.show_more, { n: Math.min(left, PAGE_ROWS) });
}

function renderIssues() {
  const b = L().book;
  const issues = state.result.issues;
  const table = $('issues');
  table.replaceChildren();
  if (!issues.length) {
    $('issues-note').textContent = b.no_issues;
    return;
  }
  const shown = Math.min(issues.length, ISSUE_ROWS);
  $('issues-note').textContent = issues.length > shown
    ? fill(L().page.issues_showing, { shown, total: issues.length, sheet: b.sheet_issues })
    : '';
  const head = el('tr');
  for (const h of [b.h_issue_kind, b.h_file, b.h_sheet, b.h_row, b.h_column, b.h_message, b.h_cells]) head.append(el('th', h));
  table.append(head);
  for (const i of issues.slice(0, shown)) {
    const tr = el('tr');
    tr.append(el('td', L().issue_kinds[i.kind] || i.kind), el('td', i.file), el('td', i.sheet),
      el('td', i.row === null ? '' : i.row, 'num'), el('td', i.column || ''), el('td', i.message),
      el('td', (i.cells || []).join(' | ')));
    table.append(tr);
  }
}

// ---------------------------------------------------------------------------

async function main() {
  const [labels, config] = await Promise.all([
    fetch('/assets/labels.json').then((r) => r.json()),
    api('/api/config').then((r) => (r.ok ? r.json() : null)).catch(() => null),
  ]);
  state.labels = labels;
  state.lang = pickLanguage();
  if (config) {
    state.maxUpload = config.max_upload_bytes;
    $('version').textContent = config.version;
  }
  $('lang').value = state.lang;
  $('lang').addEventListener('change', () => {
    state.lang = $('lang').value;
    applyTexts();
  });
  setUpDrops();
  $('check').addEventListener('click', () => start('check'));
  $('evaluate').addEventListener('click', () => start('evaluate'));
  for (const id of ['filter', 'grade-filter', 'near-only']) {
    $(id).addEventListener('input', () => {
      state.shown = PAGE_ROWS;
      renderCustomers();
    });
  }
  $('more').addEventListener('click', () => {
    state.shown += PAGE_ROWS;
    renderCustomers();
  });
  applyTexts();
  document.body.dataset.ready = 'true';
}

main();
