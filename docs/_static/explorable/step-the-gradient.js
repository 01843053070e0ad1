/* "Step the gradient yourself": the three-symbol bigram model of the micro-example page, by hand.
 *
 * Symbols ".", "a", "b" (indices 0, 1, 2); corpus: the words a, a, b, i.e. the six bigrams
 * .a a. .a a. .b b. The reader feeds single bigrams (one SGD step on -log p[y], and +1 in N) or
 * trains on the corpus (full-batch gradient descent on the mean loss, 100 steps a click).
 *
 * The arithmetic follows bigram_ref in float64 (JavaScript numbers): softmax subtracts the row
 * maximum (bigram_ref.softmax), a feed is W[i] -= lr * (p - t), and a training step is
 * bigram_ref.neural.train's. The browser tests (tests_browser/test_explorable.py) compare the
 * root's data-state with bigram_ref to 1e-9.
 *
 * No dependencies, no network. The root element is <div data-explorable="step-the-gradient">;
 * its data-state attribute holds JSON {W, N, P, grad, lr, steps, feeds, loss, countNLL}.
 */
(() => {
  "use strict";

  const V = 3;
  const SYMBOLS = [".", "a", "b"];
  const SPOKEN = ["boundary", "a", "b"]; // screen readers often say nothing for a lone "."
  const XS = [0, 1, 0, 1, 0, 2]; // .a a. .a a. .b b.
  const YS = [1, 0, 1, 0, 2, 0];
  const START_ROW = [0.2, -0.1, 0.05]; // the note's logits for row "."
  const STEPS_PER_CLICK = 100;
  const LR_DEFAULT = 1;
  const LR_MAX = 100;
  const FEEDS = [".a", ".b", "a.", "b."];

  // ---- the math, as in bigram_ref ----------------------------------------------------------

  const zeros = () => Array.from({ length: V }, () => new Array(V).fill(0));
  const copy = (M) => M.map((row) => row.slice());

  /* softmax(z)_j = exp(z_j - max z) / sum_k exp(z_k - max z): the largest term is exp(0) = 1. */
  function softmax(z) {
    const m = Math.max(...z);
    const e = z.map((v) => Math.exp(v - m));
    let s = 0;
    for (const v of e) s += v;
    return e.map((v) => v / s);
  }

  /* log softmax(z)_j = z_j - max z - log sum_k exp(z_k - max z): finite where softmax underflows. */
  function logSoftmax(z) {
    const m = Math.max(...z);
    const shifted = z.map((v) => v - m);
    let s = 0;
    for (const v of shifted) s += Math.exp(v);
    const log = Math.log(s);
    return shifted.map((v) => v - log);
  }

  /* dL/dz for L = -log softmax(z)_y: p - t, where the one-hot t only subtracts 1 at y. */
  function gradLogits(z, y) {
    const g = softmax(z);
    g[y] -= 1;
    return g;
  }

  /* The mean loss over the corpus and its gradient dL/dW = (1/n) sum_k x_k (outer) (p_k - t_k). */
  function meanLossAndGrad(W) {
    const n = XS.length;
    const dW = zeros();
    let total = 0;
    for (let k = 0; k < n; k++) {
      const i = XS[k];
      total -= logSoftmax(W[i])[YS[k]];
      const g = gradLogits(W[i], YS[k]);
      for (let j = 0; j < V; j++) dW[i][j] += g[j];
    }
    return { loss: total / n, grad: dW.map((row) => row.map((v) => v / n)) };
  }

  /* The count model's average NLL on the corpus: -(1/n) sum_ij N_ij log(N_ij / N_i.). */
  function countModelNLL() {
    const N = zeros();
    for (let k = 0; k < XS.length; k++) N[XS[k]][YS[k]] += 1;
    let total = 0;
    for (let i = 0; i < V; i++) {
      const rowTotal = N[i].reduce((a, b) => a + b, 0);
      for (let j = 0; j < V; j++) if (N[i][j] > 0) total += N[i][j] * Math.log(N[i][j] / rowTotal);
    }
    return -total / XS.length;
  }
  const COUNT_NLL = countModelNLL();

  // ---- numbers and words -------------------------------------------------------------------

  const MINUS = "\u2212";

  /* x rounded to `digits` decimals and written as Python prints round(x, 3): 0.22, not 0.220. */
  function num(x, digits = 3) {
    if (!Number.isFinite(x)) return Number.isNaN(x) ? "NaN" : x > 0 ? "\u221e" : `${MINUS}\u221e`;
    const r = Number(x.toFixed(digits));
    return r === 0 ? "0" : String(r).replace("-", MINUS);
  }
  /* A size for prose: "less than 0.0005" where three decimals would round it to 0. */
  const size = (x) => (x > 0 && x < 0.0005 ? "less than 0.0005" : num(x));
  const signed = (x, digits = 3) => (Number(x.toFixed(digits)) > 0 ? "+" : "") + num(x, digits);
  const vec = (v, f = num) => `[${v.map((x) => f(x)).join(", ")}]`;
  const others = (i) => [0, 1, 2].filter((r) => r !== i);

  /* In sentences a symbol (or a bigram) is written as sym(i, ...): shown as the symbols, spoken as
     their names. */
  const MARK = "\u0001";
  const sym = (...ids) => `${MARK}${ids.join(",")}${MARK}`;
  const spokenRow = (v) => v.map((x, j) => `${sym(j)} ${num(x)}`).join(", ");

  // ---- DOM helpers -------------------------------------------------------------------------

  const SVG = "http://www.w3.org/2000/svg";
  let instances = 0;

  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (k === "text") node.textContent = v;
      else node.setAttribute(k, v);
    }
    node.append(...children);
    return node;
  }

  function svgEl(tag, attrs = {}) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    return node;
  }

  /* The nodes of a sentence written with sym(): symbols in monospace; where a symbol's name differs
     ("."), screen readers skip the symbols and read the names from a visually hidden twin. */
  function words(text) {
    return text.split(MARK).map((part, k) => {
      if (k % 2 === 0) return part;
      const ids = part.split(",").map(Number);
      const shown = ids.map((i) => SYMBOLS[i]).join("");
      const said = ids.map((i) => SPOKEN[i]).join(" ");
      if (shown === said) return el("span", { class: "xp-sym", text: shown });
      return el(
        "span",
        {},
        el("span", { class: "xp-sym", "aria-hidden": "true", text: shown }),
        el("span", { class: "xp-sr", text: said }),
      );
    });
  }

  /* Three bars in one small SVG. Probabilities grow up from a baseline, with an optional dashed
     marker (the count model); signed values grow up (+) or down (−) from a zero line. Each
     value is also written as text, with its sign. */
  function bars(signedBars) {
    const W = 132;
    const H = signedBars ? 76 : 60;
    const span = signedBars ? 30 : 34; // pixels for a magnitude of 1
    const base = signedBars ? 32 : 48; // the zero line
    const svg = svgEl("svg", {
      viewBox: `0 0 ${W} ${H}`,
      class: signedBars ? "xp-bars xp-signed" : "xp-bars",
      role: "img",
      focusable: "false",
    });
    svg.append(svgEl("line", { x1: 0, x2: W, y1: base, y2: base, class: "xp-axis" }));
    const parts = SYMBOLS.map((symbol, j) => {
      const x = 6 + j * 44;
      const up = svgEl("rect", { x, y: base - span, width: 32, height: span, class: "xp-bar xp-up" });
      const down = svgEl("rect", { x, y: base, width: 32, height: span, class: "xp-bar xp-down" });
      const value = svgEl("text", { x: x + 16, y: 10, class: "xp-value" });
      const label = svgEl("text", { x: x + 16, y: H - 2, class: "xp-symbol" });
      label.textContent = symbol;
      const marker = svgEl("line", { x1: x - 3, x2: x + 35, class: "xp-marker" });
      svg.append(up, down, value, label, marker);
      return { up, down, value, marker };
    });
    return {
      svg,
      /* values: 3 numbers; markers: 3 numbers or null; label: what a screen reader hears. */
      update(values, markers, label) {
        values.forEach((v, j) => {
          const { up, down, value, marker } = parts[j];
          const size = Math.min(Math.abs(v), 1);
          up.style.transform = `scaleY(${v > 0 ? size : 0})`;
          down.style.transform = `scaleY(${v < 0 ? size : 0})`;
          value.textContent = signedBars ? signed(v) : num(v);
          // a signed value goes on the empty side of the zero line, a probability above the bars
          if (signedBars) value.setAttribute("y", String(v < 0 ? base - 4 : base + 12));
          marker.style.display = markers ? "" : "none";
          if (markers) {
            const y = String(base - markers[j] * span);
            marker.setAttribute("y1", y);
            marker.setAttribute("y2", y);
          }
        });
        svg.setAttribute("aria-label", label);
      },
    };
  }

  /* A 3×3 table with symbol headers; cell(i, j) makes the content of each body cell. */
  function grid(className, caption, cell, extraHeader = null) {
    const head = el("tr", {}, el("td"), ...SYMBOLS.map((s) => el("th", { scope: "col", class: "xp-sym", text: s })));
    if (extraHeader) head.append(extraHeader);
    const body = el("tbody");
    const rows = SYMBOLS.map((s, i) => {
      const th = el("th", { scope: "row" }, el("span", { class: "xp-sym", text: s }));
      const cells = SYMBOLS.map((_, j) => cell(i, j));
      const tr = el("tr", {}, th, ...cells.map((c) => c.td));
      body.append(tr);
      return { tr, th, cells };
    });
    const table = el("table", { class: `xp-table ${className}` }, el("caption", {}, ...caption), el("thead", {}, head), body);
    return { table, rows };
  }

  const valueCell = () => {
    const value = el("span", { class: "xp-num" });
    const delta = el("span", { class: "xp-delta" });
    return { td: el("td", {}, value, delta), value, delta };
  };

  // ---- the component -----------------------------------------------------------------------

  function mount(root) {
    const id = `xp${++instances}`;
    let state;

    // controls: the learning rate, four feeds, train, reset
    const lrInput = el("input", {
      id: `${id}-lr`,
      type: "number",
      inputmode: "decimal",
      min: "0",
      max: String(LR_MAX),
      step: "any",
      value: String(LR_DEFAULT),
      "aria-describedby": `${id}-lr-help ${id}-lr-error`,
    });
    const lrError = el("p", { id: `${id}-lr-error`, class: "xp-error", hidden: "" });
    const feedButtons = FEEDS.map((name) => {
      const [from, to] = [...name].map((c) => SYMBOLS.indexOf(c));
      const help = el("span", { id: `${id}-feed-${from}${to}`, hidden: "", text: `the bigram ${SPOKEN[from]}, then ${SPOKEN[to]}` });
      const button = el("button", { type: "button", class: "xp-feed", "aria-describedby": help.id, text: `Feed ${name}` });
      button.addEventListener("click", () => act(() => feed(from, to)));
      return el("span", {}, button, help);
    });
    const trainButton = el("button", { type: "button", text: "Train on the corpus" });
    const resetButton = el("button", { type: "button", text: "Reset" });
    trainButton.addEventListener("click", () => act(trainOnCorpus));
    resetButton.addEventListener("click", () => act(reset));
    lrInput.addEventListener("change", () => readLearningRate());

    const status = el("p", { class: "xp-status", role: "status", "aria-live": "polite" });
    const summary = el("p", { class: "xp-summary" });

    // W beside the softmax of each row, and N
    const charts = SYMBOLS.map(() => bars(false));
    const w = grid("xp-w", [el("strong", { text: "W" }), ", the logits, and the softmax of each row"], valueCell, el("th", { scope: "col", text: "p = softmax(row)" }));
    w.rows.forEach((row, i) => {
      row.tag = el("span", { class: "xp-tag" });
      row.th.append(row.tag);
      row.tr.append(el("td", { class: "xp-chart" }, charts[i].svg));
    });
    const n = grid("xp-n", [el("strong", { text: "N" }), ", the counts"], valueCell);
    const legend = el("p", {
      class: "xp-legend",
      text:
        "Rows: the current symbol; columns: the next. Under each number, its change in the last action " +
        "(+ up, \u2212 down). The dashed line on a bar is the probability counted from N as it stands now " +
        "(what you fed and trained on): N's row divided by its total.",
    });

    // the last action, step by step
    const stepTitle = el("p", { class: "xp-step-title" });
    const flow = el("dl");
    const errorBars = bars(true);
    const gradient = grid("xp-grad", [], () => ({ td: el("td") }));

    root.replaceChildren(
      el(
        "div",
        { class: "xp-controls" },
        el(
          "div",
          { class: "xp-lr" },
          el("label", { for: lrInput.id, text: "Learning rate η" }),
          lrInput,
          el("span", { id: `${id}-lr-help`, class: "xp-help", text: `above 0, at most ${LR_MAX}` }),
        ),
        el("div", { class: "xp-buttons", role: "group", "aria-label": "Feed one bigram" }, ...feedButtons),
        el("div", { class: "xp-buttons" }, trainButton, resetButton),
        lrError, // below the buttons: its coming and going never moves a button under the pointer
      ),
      status,
      summary,
      el("div", { class: "xp-grids" }, w.table, n.table),
      legend,
      el("div", { class: "xp-step" }, stepTitle, flow, gradient.table),
    );
    root.setAttribute("role", "group");
    root.setAttribute("aria-label", "Step the gradient yourself");

    // ---- actions: each changes the state and returns the sentence to announce ----

    function readLearningRate() {
      const text = lrInput.value.trim();
      const lr = lrInput.valueAsNumber;
      const ok = text !== "" && Number.isFinite(lr) && lr > 0 && lr <= LR_MAX;
      lrInput.setAttribute("aria-invalid", String(!ok));
      lrError.hidden = ok;
      if (ok) {
        state.lr = lr;
        publish();
        return true;
      }
      const got = text !== "" ? text : lrInput.validity.badInput ? "something that is not a number" : "an empty box";
      lrError.textContent = `Learning rate: expected a number above 0 and at most ${LR_MAX}, got ${got}. Nothing was changed.`;
      return false;
    }

    function act(action) {
      if (action !== reset && !readLearningRate()) {
        status.replaceChildren(lrError.textContent);
        return;
      }
      status.replaceChildren(...words(action()));
      render();
    }

    function reset() {
      const W = zeros();
      W[0] = START_ROW.slice();
      const N = zeros();
      const last = { kind: "reset", before: copy(W), countsBefore: copy(N) };
      state = { W, N, grad: zeros(), lr: state ? state.lr : LR_DEFAULT, steps: 0, feeds: 0, last };
      return `Reset: row ${sym(0)} of W is ${START_ROW.map((v) => num(v)).join(", ")}, rows ${sym(1)} and ${sym(2)} are 0; N is all zeros; no steps taken.`;
    }

    function feed(i, y) {
      const { W, N, lr } = state;
      const before = copy(W);
      const countsBefore = copy(N);
      const p = softmax(W[i]);
      const g = gradLogits(W[i], y); // p - t
      W[i] = W[i].map((v, j) => v - lr * g[j]);
      N[i][y] += 1;
      state.grad = zeros();
      state.grad[i] = g; // dL/dW = x (outer) (p - t): zero outside row i
      state.feeds += 1;
      state.last = { kind: "feed", i, y, before, countsBefore, p, g, loss: -logSoftmax(before[i])[y] };
      const moves = SYMBOLS.map((_, j) => `W[${sym(i)}, ${sym(j)}] ${g[j] < 0 ? "rose" : "fell"} by ${size(Math.abs(lr * g[j]))}`);
      const [r1, r2] = others(i);
      return (
        `Fed ${sym(i, y)} at learning rate ${lr}: only row ${sym(i)} of W moved. ${moves.join("; ")}. ` +
        `Rows ${sym(r1)} and ${sym(r2)} did not move. N[${sym(i)}, ${sym(y)}] is now ${N[i][y]}. ` +
        `Row ${sym(i)} now predicts ${spokenRow(softmax(W[i]))}.`
      );
    }

    function trainOnCorpus() {
      const before = copy(state.W);
      const countsBefore = copy(state.N);
      // bigram_ref.neural.train(W, xs, ys, lr, steps=100): it stops, and changes nothing, if the loss
      // becomes non-finite or rises above its start plus max(1, start), as descend does
      let W = state.W;
      let grad = null;
      let start = null;
      for (let s = 0; s <= STEPS_PER_CLICK; s++) {
        const finite = W.every((row) => row.every(Number.isFinite));
        const now = finite ? meanLossAndGrad(W) : { loss: Infinity, grad: null };
        if (start === null) start = now.loss;
        if (!Number.isFinite(now.loss) || now.loss > start + Math.max(1, start)) {
          return (
            `Training diverged at step ${s} (mean loss ${num(now.loss, 4)}, up from ${num(start, 4)}): ` +
            `try a smaller learning rate. Nothing was changed.`
          );
        }
        if (s === STEPS_PER_CLICK) break;
        grad = now.grad;
        W = W.map((row, i) => row.map((v, j) => v - state.lr * grad[i][j]));
      }
      state.W = W;
      state.grad = grad; // the gradient of the last of those steps
      state.steps += STEPS_PER_CLICK;
      for (let k = 0; k < XS.length; k++) state.N[XS[k]][YS[k]] += STEPS_PER_CLICK; // each step reads all six once
      state.last = { kind: "train", before, countsBefore };
      const rows = W.map((row, i) => `row ${sym(i)} predicts ${spokenRow(softmax(row))}`).join("; ");
      return (
        `Trained ${STEPS_PER_CLICK} full-batch steps at learning rate ${state.lr}, ${state.steps} since Reset. ` +
        `Mean loss ${num(meanLossAndGrad(W).loss, 4)}; the six bigrams' count model: ${num(COUNT_NLL, 4)}. Now ${rows}.`
      );
    }

    // ---- drawing ----

    function publish() {
      root.dataset.state = JSON.stringify({
        W: state.W,
        N: state.N,
        P: state.W.map(softmax),
        grad: state.grad,
        lr: state.lr,
        steps: state.steps,
        feeds: state.feeds,
        loss: meanLossAndGrad(state.W).loss,
        countNLL: COUNT_NLL,
      });
    }

    function render() {
      const { W, N, last } = state;
      const acted = last.kind !== "reset";
      for (let i = 0; i < V; i++) {
        const row = w.rows[i];
        const moved = W[i].some((v, j) => v !== last.before[i][j]);
        row.tr.classList.toggle("xp-moved", moved);
        row.tag.textContent = acted ? (moved ? "moved" : "still") : "";
        row.cells.forEach((c, j) => {
          c.value.textContent = num(W[i][j]);
          c.delta.textContent = acted ? signed(W[i][j] - last.before[i][j]) : "";
        });
        const total = N[i].reduce((a, b) => a + b, 0);
        const counted = total > 0 ? N[i].map((v) => v / total) : null;
        const p = softmax(W[i]);
        const said = (v) => v.map((x, j) => `${SPOKEN[j]} ${num(x)}`).join(", ");
        charts[i].update(
          p,
          counted,
          `softmax of row ${SPOKEN[i]}: ${said(p)}; ` + (counted ? `count model: ${said(counted)}` : "no counts yet"),
        );
        n.rows[i].cells.forEach((c, j) => {
          const added = N[i][j] - last.countsBefore[i][j];
          c.value.textContent = String(N[i][j]);
          c.delta.textContent = added > 0 ? `+${added}` : "";
          c.td.classList.toggle("xp-new", added > 0);
        });
        gradient.rows[i].cells.forEach((c, j) => {
          c.td.textContent = state.grad[i][j] === 0 ? "0" : signed(state.grad[i][j]);
        });
      }
      summary.textContent =
        `Feeds: ${state.feeds} · full-batch steps: ${state.steps} · mean loss on the six bigrams: ` +
        `${num(meanLossAndGrad(W).loss, 4)} · the six bigrams' count model: ${num(COUNT_NLL, 4)}, the lowest any bigram model reaches`;
      renderStep();
      publish();
    }

    function renderStep() {
      const { last } = state;
      const items = [];
      const add = (term, ...desc) => items.push(el("dt", {}, ...words(term)), el("dd", {}, ...desc));
      let title = "Nothing fed yet: press a Feed button, or Train on the corpus.";
      if (last.kind === "feed") {
        const { i, y, before, p, g, loss } = last;
        const [r1, r2] = others(i);
        const oneHot = (k) => vec(SYMBOLS.map((_, j) => Number(j === k)));
        title = `Last action: Feed ${sym(i, y)}, one gradient step at η = ${state.lr}`;
        add("x selects a row", ...words(`x = one-hot(${sym(i)}) = ${oneHot(i)}, so z = xW = row ${sym(i)} of W = ${vec(before[i])}`));
        add("p = softmax(z)", vec(p));
        add("t enters at the loss, not the forward pass", ...words(`t = one-hot(${sym(y)}) = ${oneHot(y)} picks p[${sym(y)}]: L = ${MINUS}log ${num(p[y])} = ${num(loss)}`));
        errorBars.update(g, null, `p minus t: ${g.map((v, j) => `${SPOKEN[j]} ${v < 0 ? "minus" : "plus"} ${num(Math.abs(v))}`).join(", ")}`);
        add("∂L/∂z = p − t", el("span", { class: "xp-vector", text: vec(g, signed) }), errorBars.svg);
        add(
          `W[${sym(i)}] −= η (p − t)`,
          ...words(
            `row ${sym(i)} moved by ${vec(g.map((v) => -state.lr * v), signed)}: the target's logit rose, the others fell. ` +
              `Rows ${sym(r1)} and ${sym(r2)} did not move.`,
          ),
        );
        add(`N[${sym(i)}, ${sym(y)}] += 1`, "the counting model's whole update: one cell.");
      } else if (last.kind === "train") {
        title = `Last action: Train on the corpus, ${STEPS_PER_CLICK} full-batch steps at η = ${state.lr}`;
        add(
          "each step",
          `W −= η ∂L/∂W, where L is the mean loss over the six bigrams .a a. .a a. .b b.: every row with data moves. ` +
            `N counts the six bigrams once per step: a click adds ${2 * STEPS_PER_CLICK} for .a and a. (each occurs twice), ` +
            `${STEPS_PER_CLICK} for .b and b.`,
        );
      }
      stepTitle.replaceChildren(...words(title));
      flow.replaceChildren(...items);
      flow.hidden = items.length === 0;
      gradient.table.caption.textContent = last.kind === "train" ? "∂L/∂W of the last of those steps" : "∂L/∂W of the last action";
    }

    reset(); // nothing to announce on page load
    render();
    root.hidden = false;
  }

  function start() {
    document.querySelectorAll('[data-explorable="step-the-gradient"]').forEach(mount);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
