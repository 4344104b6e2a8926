// The picture's front end (anywidget): PNG frames, receipts, and the regions a
// learner can point at.  See picture.py for the kernel side and the protocol.
//
// Speed: a frame is decoded off the main thread (img.decode() on an image not
// yet in the document) and only then swapped in; the box has a fixed size and
// `contain: strict`, so a new frame repaints the box and reflows nothing else;
// a frame overtaken by a newer one while decoding is dropped, never queued.

const STYLE_ID = "actviz-picture-style";
const RECEIPT_MS = 150;  // the shortest time between two receipts
const CSS = `
.actviz-picture { position: relative; contain: strict; max-width: 100%;
  outline: none; user-select: none; -webkit-user-select: none; }
.actviz-picture > img.actviz-frame { position: absolute; inset: 0; width: 100%;
  height: 100%; display: block; }
.actviz-picture:focus-visible { box-shadow: 0 0 0 2px #1a73e8; }
.actviz-picture .actviz-tip { position: absolute; z-index: 2; max-width: 60%;
  background: rgba(255, 255, 255, 0.97); color: #111; border: 1px solid #888;
  border-radius: 4px; padding: 6px 8px; font: 13px/1.35 system-ui, sans-serif;
  box-shadow: 0 2px 6px rgba(0, 0, 0, 0.25); pointer-events: none; }
.actviz-picture .actviz-tip b { display: block; margin-bottom: 3px; }
.actviz-picture .actviz-tip table { border-collapse: collapse; }
.actviz-picture .actviz-tip td { padding: 0 8px 0 0; font-variant-numeric: tabular-nums; }
.actviz-picture .actviz-tip td + td { text-align: right; padding-right: 0; }
.actviz-picture .actviz-tip canvas { display: block; margin-top: 4px;
  image-rendering: pixelated; border: 1px solid #ccc; }
.actviz-picture .actviz-tip .actviz-hint { color: #555; margin-top: 3px; font-size: 12px; }
.actviz-picture .actviz-mark { position: absolute; z-index: 1; pointer-events: none;
  border: 2px solid #1a73e8; border-radius: 50%; }
.actviz-picture form.actviz-edit { position: absolute; z-index: 3; display: flex;
  gap: 4px; align-items: center; background: #fff; border: 1px solid #888;
  border-radius: 4px; padding: 4px 6px; font: 13px system-ui, sans-serif;
  box-shadow: 0 2px 6px rgba(0, 0, 0, 0.25); }
.actviz-picture form.actviz-edit input { width: 7em; font: inherit; }
.actviz-picture form.actviz-edit button { font: inherit; }
`;

function addStyle() {
  if (document.getElementById(STYLE_ID)) return;
  const style = document.createElement("style");
  style.id = STYLE_ID;
  style.textContent = CSS;
  document.head.appendChild(style);
}

// The PNG's size in pixels, from its IHDR chunk (bytes 16-23, big-endian).
function pngSize(view) {
  if (!view || view.byteLength < 24) return null;
  return { w: view.getUint32(16), h: view.getUint32(20) };
}

function asBytes(value) {
  if (!value) return null;
  if (value instanceof DataView) return value;
  if (value instanceof ArrayBuffer) return new DataView(value);
  if (ArrayBuffer.isView(value)) return new DataView(value.buffer, value.byteOffset, value.byteLength);
  return null;
}

// Distance from point p to the segment a-b.
function segmentDistance(px, py, r) {
  const dx = r.x1 - r.x0, dy = r.y1 - r.y0;
  const len2 = dx * dx + dy * dy;
  let t = len2 > 0 ? ((px - r.x0) * dx + (py - r.y0) * dy) / len2 : 0;
  t = Math.max(0, Math.min(1, t));
  return Math.hypot(px - (r.x0 + t * dx), py - (r.y0 + t * dy));
}

function hit(region, x, y) {
  if (region.shape === "circle") return Math.hypot(x - region.x, y - region.y) <= region.r;
  if (region.shape === "rect")
    return x >= region.x0 && x <= region.x1 && y >= region.y0 && y <= region.y1;
  return segmentDistance(x, y, region) <= region.width / 2;
}

// Where a region is, for the tooltip and the edit field: its centre and extent.
function anchor(region) {
  if (region.shape === "circle")
    return { x: region.x, y: region.y, x0: region.x - region.r, y0: region.y - region.r,
             x1: region.x + region.r, y1: region.y + region.r };
  const x0 = Math.min(region.x0, region.x1), x1 = Math.max(region.x0, region.x1);
  const y0 = Math.min(region.y0, region.y1), y1 = Math.max(region.y0, region.y1);
  return { x: (x0 + x1) / 2, y: (y0 + y1) / 2, x0, y0, x1, y1 };
}

function render({ model, el }) {
  addStyle();
  const box = document.createElement("div");
  box.className = "actviz-picture";
  box.tabIndex = 0;
  el.appendChild(box);
  let img = document.createElement("img");
  img.className = "actviz-frame";
  img.draggable = false;
  box.appendChild(img);
  let url = null;          // the blob: URL shown
  let size = null;         // {w, h} in CSS px of the box at full width
  let latest = 0;          // sequence number of the newest frame received
  let alive = true;
  let shownFrame = 0;      // the newest frame number shown
  let receiptDue = null;   // a receipt is scheduled (timer id, or -1: at the next paint)
  let lastReceipt = -Infinity;
  let regions = [];
  let current = null;      // region under the pointer or focused by keys
  let tip = null, mark = null, form = null;
  const texts = () => model.get("texts") || {};

  function setSize(png) {
    const px = pngSize(png);
    const width = model.get("width") || (px ? px.w : 0);
    if (!px || !width) return;
    const next = { w: width, h: width * px.h / px.w };
    if (size && size.w === next.w && Math.abs(size.h - next.h) < 0.01) return;
    size = next;
    box.style.width = `${next.w}px`;
    box.style.aspectRatio = `${next.w} / ${next.h}`;
  }

  // Receipts, at most one per RECEIPT_MS, naming the newest frame shown: each is a
  // message to the kernel, which then reports "busy" and "idle", and JupyterLab redraws
  // its toolbar and status bar for both; one receipt per frame was half the page's work
  // during Play.  The kernel allows frames in flight for that (receipts.MAX_IN_FLIGHT).
  function receipt(frame) {
    if (!frame || !alive) return;
    shownFrame = Math.max(shownFrame, frame);
    if (receiptDue !== null) return;  // one is due: it will name this frame too
    const send = () => {
      receiptDue = null;
      if (!alive) return;
      lastReceipt = performance.now();
      try { model.send({ type: "shown", frame: shownFrame }); } catch (e) { /* no kernel (saved state) */ }
    };
    // on screen at the next paint; a hidden tab paints nothing, so answer without waiting
    const paint = () => { if (document.hidden) send(); else requestAnimationFrame(send); };
    const wait = lastReceipt + RECEIPT_MS - performance.now();
    receiptDue = wait > 0 ? setTimeout(paint, wait) : -1;
    if (wait <= 0) paint();
  }

  async function showFrame() {
    const png = asBytes(model.get("png"));
    const frame = model.get("frame");
    const seq = ++latest;
    if (!png || png.byteLength === 0) return;
    const nextUrl = URL.createObjectURL(new Blob([png], { type: "image/png" }));
    const next = document.createElement("img");
    next.className = "actviz-frame";
    next.draggable = false;
    next.alt = model.get("alt") || "";
    if (frame) next.dataset.frame = String(frame);  // which frame is shown (tests, benchmarks)
    next.src = nextUrl;
    try {
      await next.decode();  // off the main thread; the swap below shows decoded pixels
    } catch (e) {
      URL.revokeObjectURL(nextUrl);
      if (seq === latest) receipt(frame);  // a broken frame must not stall Play
      return;
    }
    if (!alive || seq !== latest) {  // overtaken by a newer frame: drop this one
      URL.revokeObjectURL(nextUrl);
      return;
    }
    setSize(png);
    img.replaceWith(next);
    img = next;
    if (url) URL.revokeObjectURL(url);
    url = nextUrl;
    receipt(frame);
  }

  // -- regions: hover, click, keys -------------------------------------------------------
  function toPicture(ev) {
    const rect = box.getBoundingClientRect();
    if (!size || rect.width === 0) return null;
    const k = size.w / rect.width;
    return { x: (ev.clientX - rect.left) * k, y: (ev.clientY - rect.top) * k };
  }

  function regionAt(x, y) {
    // neurons and boxes before the edges that run into them
    let found = null;
    for (const r of regions) if (r.shape !== "segment" && hit(r, x, y)) found = r;
    if (found) return found;
    for (const r of regions) if (r.shape === "segment" && hit(r, x, y)) found = r;
    return found;
  }

  function scale() {
    const rect = box.getBoundingClientRect();
    return size && size.w ? rect.width / size.w : 1;
  }

  function hideTip() {
    if (tip) { tip.remove(); tip = null; }
    if (mark) { mark.remove(); mark = null; }
    current = null;
    box.style.cursor = "";
  }

  function showTip(region, at) {
    current = region;
    if (!tip) {
      tip = document.createElement("div");
      tip.className = "actviz-tip";
      tip.setAttribute("role", "tooltip");
      box.appendChild(tip);
    }
    tip.replaceChildren();
    tip.dataset.region = region.id;
    if (region.title) {
      const title = document.createElement("b");
      title.textContent = region.title;
      tip.appendChild(title);
    }
    if (region.rows && region.rows.length) {
      const table = document.createElement("table");
      for (const [label, value] of region.rows) {
        const tr = table.insertRow();
        tr.insertCell().textContent = label;
        tr.insertCell().textContent = value;
      }
      tip.appendChild(table);
    }
    if (region.zoom && img.naturalWidth && size) {
      const z = region.zoom, k = img.naturalWidth / size.w;
      const zoom = document.createElement("canvas");
      const side = 160;
      const w = (z.x1 - z.x0), h = (z.y1 - z.y0), f = side / Math.max(w, h);
      zoom.width = Math.round(w * f); zoom.height = Math.round(h * f);
      const ctx = zoom.getContext("2d");
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(img, z.x0 * k, z.y0 * k, w * k, h * k, 0, 0, zoom.width, zoom.height);
      tip.appendChild(zoom);
    }
    const hint = region.edit ? texts().edit_hint : region.select ? texts().select_hint : "";
    if (hint) {
      const p = document.createElement("div");
      p.className = "actviz-hint";
      p.textContent = hint;
      tip.appendChild(p);
    }
    box.style.cursor = region.edit || region.select ? "pointer" : "default";
    place(tip, region, at);
    // a ring around what the tooltip describes (circles only; edges are thin)
    if (region.shape === "circle") {
      if (!mark) { mark = document.createElement("div"); mark.className = "actviz-mark"; box.appendChild(mark); }
      const s = scale();
      mark.style.left = `${(region.x - region.r) * s - 2}px`;
      mark.style.top = `${(region.y - region.r) * s - 2}px`;
      mark.style.width = mark.style.height = `${2 * region.r * s}px`;
    } else if (mark) { mark.remove(); mark = null; }
  }

  // Beside the region (or the pointer), kept inside the picture.
  function place(node, region, at) {
    const s = scale(), a = anchor(region);
    const bw = box.clientWidth, bh = box.clientHeight;
    const nw = node.offsetWidth, nh = node.offsetHeight;
    const px = at ? at.x * s : a.x1 * s, py = at ? at.y * s : a.y * s;
    let left = px + 14, top = py + 14;
    if (left + nw > bw - 2) left = Math.max(2, (at ? px : a.x0 * s) - nw - 14);
    if (top + nh > bh - 2) top = Math.max(2, bh - nh - 2);
    node.style.left = `${Math.max(2, left)}px`;
    node.style.top = `${Math.max(2, top)}px`;
  }

  function closeForm() {
    if (form) { form.remove(); form = null; }
  }

  function openForm(region) {
    closeForm();
    hideTip();
    const e = region.edit;
    form = document.createElement("form");
    form.className = "actviz-edit";
    form.noValidate = true;  // the kernel checks the range and says why it refuses
    form.dataset.region = region.id;
    const label = document.createElement("label");
    label.textContent = `${e.label} =`;
    const input = document.createElement("input");
    input.type = "number";
    input.min = String(e.min); input.max = String(e.max); input.step = "any";
    input.value = String(e.value);
    input.setAttribute("aria-label", e.label);
    label.appendChild(input);
    const ok = document.createElement("button");
    ok.type = "submit"; ok.textContent = texts().apply || "OK";
    const cancel = document.createElement("button");
    cancel.type = "button"; cancel.textContent = texts().cancel || "×";
    cancel.addEventListener("click", () => { closeForm(); box.focus(); });
    form.append(label, ok, cancel);
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      const value = input.valueAsNumber;
      model.send({ type: "edit", id: region.id, value: Number.isFinite(value) ? value : input.value });
      closeForm();
      box.focus();
    });
    form.addEventListener("keydown", (ev) => {
      ev.stopPropagation();
      if (ev.key === "Escape") { ev.preventDefault(); closeForm(); box.focus(); }
    });
    for (const kind of ["pointerdown", "pointermove", "click"])
      form.addEventListener(kind, (ev) => ev.stopPropagation());
    box.appendChild(form);
    place(form, region, null);
    input.focus();
    input.select();
  }

  function activate(region) {
    if (region.edit) openForm(region);
    if (region.select) model.send({ type: "click", id: region.id });
  }

  const onMove = (ev) => {
    if (form) return;
    const p = toPicture(ev);
    const region = p && regionAt(p.x, p.y);
    if (!region) { hideTip(); return; }
    showTip(region, p);
  };
  const onLeave = () => hideTip();
  const onClick = (ev) => {
    const p = toPicture(ev);
    const region = p && regionAt(p.x, p.y);
    if (region) activate(region);
  };
  const onKey = (ev) => {
    if (ev.key === "Escape") { hideTip(); closeForm(); return; }
    if (!regions.length) return;
    const step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[ev.key];
    if (step) {
      ev.preventDefault();
      const i = current ? regions.findIndex((r) => r.id === current.id) : -1;
      showTip(regions[(i + step + regions.length) % regions.length], null);
    } else if ((ev.key === "Enter" || ev.key === " ") && current) {
      ev.preventDefault();
      activate(current);
    }
  };
  box.addEventListener("pointermove", onMove);
  box.addEventListener("pointerleave", onLeave);
  box.addEventListener("click", onClick);
  box.addEventListener("keydown", onKey);
  box.addEventListener("blur", () => { if (!form) hideTip(); });

  function setRegions() {
    regions = model.get("regions") || [];
    if (current) {  // the tooltip follows the new numbers of the same region
      const same = regions.find((r) => r.id === current.id);
      if (same) showTip(same, null); else hideTip();
    }
    if (form && !regions.some((r) => r.id === form.dataset.region)) closeForm();
  }
  function setAlt() {
    img.alt = model.get("alt") || "";
    box.setAttribute("aria-label", img.alt);
  }

  // frame, number and regions arrive in one message; png last so a receipt names its frame
  const onPng = () => { showFrame(); };
  model.on("change:regions", setRegions);
  model.on("change:alt", setAlt);
  model.on("change:png", onPng);
  const onWidth = () => { size = null; setSize(asBytes(model.get("png"))); };
  model.on("change:width", onWidth);
  setAlt();
  setRegions();
  setSize(asBytes(model.get("png")));
  showFrame();
  return () => {
    alive = false;
    if (receiptDue !== null && receiptDue !== -1) clearTimeout(receiptDue);
    model.off("change:regions", setRegions);
    model.off("change:alt", setAlt);
    model.off("change:png", onPng);
    model.off("change:width", onWidth);
    if (url) URL.revokeObjectURL(url);
  };
}

export default { render };
