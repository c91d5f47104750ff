// The Progress panel's page. Plain browser script under a strict CSP: no remote content, no inline handlers.
// Message shapes: src/protocol/webview-messages.ts (HostToWebview in, WebviewToHost out); what arrives is
// checked by isHostToWebview before use.
// @ts-check
(function () {
  'use strict';
  // eslint-disable-next-line no-undef
  const vscode = acquireVsCodeApi();
  const root = /** @type {HTMLElement} */ (document.getElementById('root'));

  /** @param {unknown} v */
  const isRecord = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
  /** @param {unknown} v */
  const isCount = (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0;
  /** @param {unknown} v */
  const isText = (v) => typeof v === 'string';
  /** @param {unknown} v */
  const isOptionalText = (v) => v === undefined || typeof v === 'string';

  /** @param {unknown} u */
  function isUsage(u) {
    return (
      isRecord(u) &&
      ['inputTokens', 'outputTokens', 'cacheCreationInputTokens', 'cacheReadInputTokens', 'costUsd'].every((k) =>
        isCount(u[k]),
      ) &&
      typeof u.estimated === 'boolean'
    );
  }
  /** @param {unknown} v */
  function isValidation(v) {
    return (
      isRecord(v) &&
      isText(v.summary) &&
      typeof v.failing === 'boolean' &&
      Array.isArray(v.open) &&
      v.open.every((r) => isRecord(r) && isText(r.id) && isText(r.verdict) && isText(r.evidence))
    );
  }
  /** @param {unknown} s */
  function isSnapshot(s) {
    return (
      isRecord(s) &&
      ['idle', 'running', 'finished'].includes(/** @type {string} */ (s.state)) &&
      isCount(s.done) &&
      isCount(s.failed) &&
      isCount(s.total) &&
      isCount(s.pendingEdits) &&
      Array.isArray(s.phases) &&
      s.phases.every(
        (p) => isRecord(p) && isText(p.title) && isCount(p.done) && isCount(p.failed) && isCount(p.total),
      ) &&
      Array.isArray(s.workers) &&
      s.workers.every(
        (w) =>
          isRecord(w) &&
          isText(w.workerId) &&
          isText(w.role) &&
          isText(w.taskId) &&
          isText(w.activity) &&
          isText(w.command),
      ) &&
      (s.usage === undefined || isUsage(s.usage)) &&
      (s.budgetUsd === undefined || isCount(s.budgetUsd)) &&
      (s.validation === undefined || isValidation(s.validation)) &&
      ['featureId', 'runId', 'outcome', 'outcomeText', 'message', 'startedAt', 'finishedAt'].every((k) =>
        isOptionalText(s[k]),
      )
    );
  }
  /** @param {unknown} m */
  function isHostToWebview(m) {
    return (
      isRecord(m) &&
      m.type === 'snapshot' &&
      isSnapshot(m.snapshot) &&
      Array.isArray(m.log) &&
      m.log.every((e) => isRecord(e) && isText(e.at) && isText(e.level) && isText(e.text))
    );
  }

  /** @param {string} tag @param {Record<string, string>} [attrs] @param {(Node|string)[]} [children] */
  function el(tag, attrs = {}, children = []) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    for (const c of children) node.append(c);
    return node;
  }
  /** @param {number} done @param {number} failed @param {number} total */
  function bar(done, failed, total) {
    const pct = (n) => (total === 0 ? 0 : Math.round((n / total) * 1000) / 10);
    const b = el('div', {
      class: 'bar',
      role: 'progressbar',
      'aria-valuemin': '0',
      'aria-valuemax': String(total),
      'aria-valuenow': String(done),
    });
    const d = el('div', { class: 'done' });
    d.style.width = `${pct(done)}%`;
    const f = el('div', { class: 'failed' });
    f.style.left = `${pct(done)}%`;
    f.style.width = `${pct(failed)}%`;
    b.append(d, f);
    return b;
  }
  const tokens = (n) => (n >= 10000 ? `${(n / 1000).toFixed(n >= 100000 ? 0 : 1)}k` : String(n));
  const money = (n) => `$${n.toFixed(n < 1 ? 3 : 2)}`;
  /** @param {string} from @param {string} [to] */
  function elapsed(from, to) {
    const ms = Math.max(0, (to ? Date.parse(to) : Date.now()) - Date.parse(from));
    const s = Math.floor(ms / 1000);
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    return `${h > 0 ? `${h}:` : ''}${String(m).padStart(h > 0 ? 2 : 1, '0')}:${String(s % 60).padStart(2, '0')}`;
  }
  /** @param {string} label @param {string} command @param {boolean} [secondary] */
  function button(label, command, secondary) {
    const b = el('button', secondary ? { class: 'secondary' } : {}, [label]);
    b.addEventListener('click', () => vscode.postMessage({ type: 'command', command }));
    return b;
  }

  /** @type {any} */
  let current = vscode.getState();
  let elapsedNode = /** @type {HTMLElement | undefined} */ (undefined);

  function render() {
    root.replaceChildren();
    elapsedNode = undefined;
    if (!current || !isHostToWebview(current)) {
      root.append(
        el('p', { class: 'muted' }, ["No run yet. Implement a feature's tasks to see progress here."]),
        el('div', { class: 'actions' }, [button('Implement Spec-Kit Tasks', 'implement')]),
      );
      return;
    }
    const s = current.snapshot;
    if (s.state === 'idle') {
      root.append(
        el('p', { class: 'muted' }, ['No run yet.']),
        el('div', { class: 'actions' }, [button('Implement Spec-Kit Tasks', 'implement')]),
      );
      return;
    }
    const status = s.state === 'running' ? 'Running' : (s.outcomeText ?? `Finished: ${s.outcome ?? ''}`);
    elapsedNode = el('span', { class: 'muted', id: 'elapsed' }, [
      s.startedAt ? elapsed(s.startedAt, s.finishedAt) : '',
    ]);
    root.append(
      el('div', { class: 'headline' }, [el('strong', {}, [`${s.featureId ?? 'Run'} — ${status}`]), elapsedNode]),
      el('div', { class: 'phase' }, [
        el('div', { class: 'label' }, [
          el('span', {}, ['Overall']),
          el('span', {}, [`${s.done}/${s.total}${s.failed ? ` · ${s.failed} failed` : ''}`]),
        ]),
        bar(s.done, s.failed, s.total),
      ]),
    );
    if (s.message && s.state === 'finished') root.append(el('p', {}, [s.message]));
    if (s.usage) {
      const u = s.usage;
      const over = s.budgetUsd !== undefined && u.costUsd > s.budgetUsd;
      const cost = el('td', { class: `num${over ? ' over' : ''}` }, [
        `${money(u.costUsd)}${s.budgetUsd !== undefined ? ` / ${money(s.budgetUsd)}` : ''}${u.estimated ? ' (est.)' : ''}`,
      ]);
      root.append(
        el('table', { class: 'usage', 'aria-label': 'Tokens and cost' }, [
          el('tr', {}, [
            el('td', {}, ['Tokens']),
            el('td', { class: 'num' }, [`in ${tokens(u.inputTokens)} · out ${tokens(u.outputTokens)}`]),
          ]),
          el('tr', {}, [
            el('td', {}, ['Cache']),
            el('td', { class: 'num' }, [
              `read ${tokens(u.cacheReadInputTokens)} · write ${tokens(u.cacheCreationInputTokens)}`,
            ]),
          ]),
          el('tr', {}, [el('td', {}, [s.budgetUsd !== undefined ? 'Cost / budget' : 'Cost']), cost]),
        ]),
      );
    }

    const actions = el('div', { class: 'actions' });
    if (s.state === 'running') actions.append(button('Cancel Run', 'cancelRun', true));
    if (s.pendingEdits > 0)
      actions.append(
        button(`Review ${s.pendingEdits} Pending Edit${s.pendingEdits === 1 ? '' : 's'}`, 'showPendingChanges'),
      );
    actions.append(button('Show Log', 'showLog', true));
    root.append(actions);

    root.append(el('h2', {}, ['Phases']));
    for (const p of s.phases) {
      root.append(
        el('div', { class: 'phase' }, [
          el('div', { class: 'label' }, [
            el('span', { title: p.title }, [p.title]),
            el('span', {}, [`${p.done}/${p.total}`]),
          ]),
          bar(p.done, p.failed, p.total),
        ]),
      );
    }

    if (s.validation) {
      const v = s.validation;
      root.append(el('h2', {}, ['Validation']));
      root.append(el('p', { class: v.failing ? 'over' : '' }, [v.summary]));
      if (v.open.length > 0) {
        const list = el('ul', { class: 'requirements', 'aria-label': 'Requirements not met' });
        for (const r of v.open)
          list.append(
            el('li', { title: r.evidence }, [el('strong', {}, [`${r.id} ${r.verdict}`]), ` — ${r.evidence}`]),
          );
        root.append(list);
      }
    }

    root.append(el('h2', {}, [`Workers (${s.workers.length})`]));
    if (s.workers.length === 0) root.append(el('p', { class: 'muted' }, ['None active.']));
    for (const w of s.workers) {
      root.append(
        el('div', { class: 'worker' }, [
          el('div', {}, [`${w.taskId} · ${w.role}`]),
          ...(w.command !== '' ? [el('div', { class: 'command' }, [w.command])] : []),
          el('div', { class: 'activity', title: w.activity }, [w.activity]),
        ]),
      );
    }

    root.append(el('h2', {}, ['Log']));
    const log = el('div', { class: 'log', role: 'log' });
    for (const e of current.log)
      log.append(el('div', { class: e.level, title: e.at }, [`${e.at.slice(11, 19)} ${e.text}`]));
    root.append(log);
    log.scrollTop = log.scrollHeight;
  }

  window.addEventListener('message', (event) => {
    if (!isHostToWebview(event.data)) return; // not ours, or not this version's shape: ignore
    current = event.data;
    vscode.setState(current);
    render();
  });
  setInterval(() => {
    if (elapsedNode && current && current.snapshot.state === 'running' && current.snapshot.startedAt)
      elapsedNode.textContent = elapsed(current.snapshot.startedAt);
  }, 1000);
  render();
  vscode.postMessage({ type: 'ready' });
})();
