// The classroom pages' behaviour: no framework, no external file (the room may have no internet).
// The pages work without it for joining and creating a game; it polls the public status, sends orders
// and the white cell's forms as JSON, and drives the debrief's turn slider and the projector's clock.
"use strict";

(function () {
  const body = document.body;
  const kind = body.dataset.page || "";
  const POLL_MS = 3000;
  let dirty = false;        // the user has typed into a form since the page loaded: do not reload under them
  let version = body.dataset.version || "";
  // a team's page follows what the team sees (turns, injects), the console every change (submissions too)
  const watched = kind === "team" ? "view_version" : "version";
  const turn = body.dataset.turn === undefined ? null : Number(body.dataset.turn);

  let ordersDirty = false;  // the order form holds changes not yet sent: a reload carries them over (keepOrders)
  document.addEventListener("input", (ev) => {
    const form = ev.target.closest("form");
    if (form) dirty = true;
    if (form && form.id === "orders") ordersDirty = true;
  });

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  async function api(url, payload) {
    // a POST says which turn the page was showing: the server refuses it (409) if that turn has resolved
    const headers = { "Content-Type": "application/json" };
    if (turn !== null) headers["X-Game-Turn"] = String(turn);
    const options = payload === undefined ? {} : { method: "POST", headers, body: JSON.stringify(payload) };
    const response = await fetch(url, { credentials: "same-origin", ...options });
    let data = null;
    try { data = await response.json(); } catch (err) { data = { errors: [`${response.status} ${response.statusText}`] }; }
    return { ok: response.ok, status: response.status, data };
  }

  function flash(text) {
    const box = el("div", "flash", text);
    box.setAttribute("role", "status");
    document.body.appendChild(box);
    setTimeout(() => box.remove(), 6000);
  }
  const pending = sessionStorage.getItem("flash");
  if (pending) { sessionStorage.removeItem("flash"); flash(pending); }

  // the order form's unsent changes, kept across a reload of the same turn (a message sent, a white-cell
  // form): the reload shows what was done, and must not throw away orders the team has not sent yet
  const KEPT = "unsent-orders";
  function keepOrders() {
    const form = document.getElementById("orders");
    if (!form || !ordersDirty) return;
    const values = Array.from(form.elements, (x) => (x.type === "checkbox" ? x.checked : x.value));
    sessionStorage.setItem(KEPT, JSON.stringify({ turn, values }));
  }
  function restoreOrders() {
    const saved = sessionStorage.getItem(KEPT);
    sessionStorage.removeItem(KEPT);
    const form = document.getElementById("orders");
    if (!saved || !form) return;
    const { turn: savedTurn, values } = JSON.parse(saved);
    if (savedTurn !== turn || values.length !== form.elements.length) return;   // a new turn: a new form
    Array.from(form.elements).forEach((x, k) => {
      if (x.type === "checkbox") { x.checked = values[k]; return; }
      if (x.tagName === "SELECT" && values[k] && !Array.from(x.options).some((o) => o.value === values[k])) {
        x.append(new Option(values[k], values[k]));       // a place put there by a tap on the map
      }
      if (x.type !== "submit") x.value = values[k];
    });
    dirty = ordersDirty = true;
    const state = document.getElementById("order-state");
    if (state) {
      state.textContent = "Your changes below are kept but not sent yet: send them before the turn resolves.";
      state.className = "error";
    }
  }

  function reloadWith(text, keep = false) {
    if (text) sessionStorage.setItem("flash", text);
    if (keep) keepOrders();
    window.location.reload();
  }

  // ---- the status bar (same markup as server.status_bar)
  function renderStatus(s) {
    const turnNode = document.getElementById("s-turn");
    if (!turnNode) return;
    turnNode.textContent = "";
    if (s.finished) {
      turnNode.textContent = "Game over";
    } else {
      turnNode.append("Turn ", el("b", "", String(s.turn + 1)), ` of ${s.turns}`);
    }
    document.getElementById("s-date").textContent = s.date;
    const teams = document.getElementById("s-teams");
    const me = body.dataset.team || "";
    teams.textContent = "";
    for (const t of s.humans) {
      const done = s.submitted.includes(t);
      const li = el("li", (done || s.finished ? "done" : "waiting") + (t === me ? " me" : ""),
        (s.names && s.names[t]) || t);
      li.appendChild(el("span", "mark", done ? "✓ orders in" : s.finished ? "" : "waiting"));  // none waits at the end
      teams.appendChild(li);
    }
    const flags = document.getElementById("s-flags");
    flags.textContent = "";
    if (s.paused) flags.appendChild(el("span", "badge paused", "PAUSED"));
  }

  function stale(text) {
    let bar = document.getElementById("stale");
    if (!bar) {
      bar = el("div", "stale");
      bar.id = "stale";
      const button = el("button", "", "Reload");
      button.type = "button";
      button.addEventListener("click", () => window.location.reload());
      bar.append(el("span", "", text), button);
      document.body.appendChild(bar);
    }
  }

  // the new map is loaded aside and shown when complete: the old one stays until then (no blank frame)
  function swapMap(viewVersion) {
    const map = document.getElementById("map");
    if (!map || !map.dataset.base) return;
    const next = new Image();
    next.onload = () => { map.src = next.src; };
    next.src = `${map.dataset.base}&v=${encodeURIComponent(viewVersion)}`;
  }

  let stopped = false;
  async function poll() {
    try {
      const { ok, status, data } = await api("/api/status");
      if (!ok) {
        if (status === 401) {              // the game is gone (a new class, a new file): stop asking
          stale("Your join code is no longer accepted: join again.");
          stopped = true;
        }
        return;
      }
      renderStatus(data);
      if (kind === "projector") { renderProjector(data); return; }
      // a team's page learns of a new message by the count of those sent to it (its /api/status only)
      if (data.inbox !== undefined && body.dataset.inbox !== undefined && String(data.inbox) !== body.dataset.inbox) {
        body.dataset.inbox = String(data.inbox);
        if (!dirty) { reloadWith("A new message has come in: see Messages."); return; }
        stale("A new message has come in: see Messages (reload).");
      }
      if (data[watched] === version) return;
      const newTurn = turn !== null && data.turn !== turn;
      if (!dirty || (newTurn && kind === "team")) {
        reloadWith(newTurn ? `Turn ${turn + 1} resolved: this is turn ${data.turn + 1}.` : "");
        return;
      }
      version = data[watched];
      swapMap(data.view_version);
      stale(newTurn ? "The turn has resolved." : "There is news.");
    } catch (err) {
      // the server is restarting or the network dropped: try again at the next tick
    } finally {
      if (!stopped) setTimeout(poll, POLL_MS);
    }
  }

  // ---- a team's orders
  function placeId(text) {
    const list = document.getElementById("places");
    if (!list) return text;
    const lower = text.toLowerCase();
    for (const option of list.options) {
      if (option.value === text) return text;
      if ((option.label || "").toLowerCase() === lower || option.value.toLowerCase() === lower) return option.value;
    }
    return text;
  }

  function collectOrders(form) {
    const out = {};
    const problems = [];
    const rows = form.querySelectorAll("tr[data-sector]");
    if (rows.length) {
      const sectors = {};
      rows.forEach((row) => {
        const stance = row.querySelector("[name=stance]").value;
        const typed = row.querySelector("[name=axis]").value.trim();
        if (stance === "doctrine" && !typed) return;
        const order = { stance };
        if (typed) order.axis = placeId(typed);
        sectors[row.dataset.sector] = order;
      });
      out.sectors = sectors;
    }
    form.querySelectorAll("[data-kind]").forEach((input) => {
      const name = input.name;
      switch (input.dataset.kind) {
        case "bool":
          if (input.checked) out[name] = true;
          break;
        case "int":
        case "float":
          if (input.validity.badInput) problems.push(`${name.replace(/_/g, " ")}: not a number`);
          else if (input.value.trim() !== "") out[name] = Number(input.value);
          break;
        case "choice":
          if (input.value) out[name] = input.value;        // empty: as the doctrine AI would
          break;
        case "sector":
          if (input.value) out[name] = input.value;
          break;
        case "target-list":                  // one list per priority, first first; a repeat counts once
          if (input.value && !(out[name] || []).includes(input.value)) (out[name] = out[name] || []).push(input.value);
          break;
        default:
      }
    });
    return { orders: out, problems };
  }

  function showErrors(list, errors) {
    list.textContent = "";
    for (const text of errors) list.appendChild(el("li", "", text));
    list.hidden = errors.length === 0;
  }

  const orderForm = document.getElementById("orders");
  if (orderForm) {
    const errors = document.getElementById("order-errors");
    const state = document.getElementById("order-state");
    const button = document.getElementById("submit-orders");
    orderForm.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const { orders, problems } = collectOrders(orderForm);
      if (problems.length) { showErrors(errors, problems); return; }
      button.disabled = true;
      state.textContent = "Sending…";
      state.className = "dim";
      try {
        const { ok, status, data } = await api("/api/orders", orders);
        if (!ok && status === 409) { reloadWith((data.errors || ["The turn has resolved."])[0]); return; }
        if (!ok) {
          showErrors(errors, data.errors || ["the server refused the orders"]);
          state.textContent = "Not accepted: see the problems below. Nothing was changed.";
          state.className = "error";
          return;
        }
        showErrors(errors, []);
        dirty = ordersDirty = false;
        if (data.turn_resolved) { reloadWith("Every team has sent its orders: the turn is resolved."); return; }
        const now = new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hour12: false });
        state.textContent = `Orders received at ${now}. You can change them until the turn resolves.`;
        state.className = "ok";
        renderStatus(data.status);
      } catch (err) {
        showErrors(errors, ["The server did not answer: check the connection and send again."]);
        state.textContent = "Not sent.";
        state.className = "error";
      } finally {
        button.disabled = false;
      }
    });
  }

  // ---- the map: zoom in and out (it scrolls inside its box), and tap it to choose a sector's orders
  const mapbox = document.getElementById("mapbox");
  if (mapbox) {
    const ZOOMS = 3;                       // play.css: .mapbox.zoom-1 .. zoom-3
    let zoom = 0;
    document.querySelectorAll("[data-zoom]").forEach((button) => {
      button.addEventListener("click", () => {
        const cx = (mapbox.scrollLeft + mapbox.clientWidth / 2) / mapbox.scrollWidth;
        const cy = (mapbox.scrollTop + mapbox.clientHeight / 2) / mapbox.scrollHeight;
        mapbox.classList.remove(`zoom-${zoom}`);
        zoom = Math.max(0, Math.min(ZOOMS, zoom + Number(button.dataset.zoom)));
        if (zoom) mapbox.classList.add(`zoom-${zoom}`);
        mapbox.scrollLeft = cx * mapbox.scrollWidth - mapbox.clientWidth / 2;     // the same point stays centred
        mapbox.scrollTop = cy * mapbox.scrollHeight - mapbox.clientHeight / 2;
      });
    });
    const pick = document.getElementById("map-pick");
    const map = document.getElementById("map");
    if (pick && map) {
      map.addEventListener("click", async (ev) => {
        const x = ev.offsetX / map.clientWidth;
        const y = ev.offsetY / map.clientHeight;
        const area = encodeURIComponent(mapbox.dataset.area || "front");
        const { ok, data } = await api(`/api/map/sector?area=${area}&x=${x.toFixed(4)}&y=${y.toFixed(4)}`);
        pick.textContent = "";
        if (!ok) { pick.textContent = (data.errors || ["Nothing there."]).join(" "); return; }
        document.querySelectorAll("tr.picked").forEach((row) => row.classList.remove("picked"));
        const row = document.querySelector(`tr[data-sector="${data.sector}"]`);
        pick.append(`${data.sector_name} sector` + (data.place_name ? `, near ${data.place_name}` : ""));
        // a team with aircraft (Russia's): the tapped place or sector can go first in its air priorities
        const slots = [...document.querySelectorAll('select[data-kind="target-list"]')];
        const strikeFirst = (value, label) => {
          const strike = el("button", "quiet", label);
          strike.type = "button";
          strike.addEventListener("click", () => {
            const order = [value, ...slots.map((s) => s.value).filter((v) => v && v !== value)];
            slots.forEach((select, k) => {
              const want = order[k] || "";
              if (want && !select.querySelector(`option[value="${CSS.escape(want)}"]`)) {
                select.append(new Option(label.replace(/^Strike (near )?| first$/g, ""), want));
              }
              select.value = want;
            });
            dirty = ordersDirty = true;
            slots[0].scrollIntoView({ block: "center" });
          });
          pick.append(strike);
        };
        if (slots.length) {
          // a place that shares its id with its sector (Idlib) is the sector as an air target: one button
          if (data.place && data.place !== data.sector) strikeFirst(data.place, `Strike near ${data.place_name} first`);
          strikeFirst(data.sector, `Strike the ${data.sector_name} sector first`);
        }
        if (!row) return;
        row.classList.add("picked");
        if (data.place_name) {
          const aim = el("button", "quiet", `Attack towards ${data.place_name}`);
          aim.type = "button";
          aim.addEventListener("click", () => {
            row.querySelector("[name=stance]").value = "attack";
            row.querySelector("[name=axis]").value = data.place_name;
            dirty = ordersDirty = true;
            row.scrollIntoView({ block: "center" });
          });
          pick.append(aim);
        }
        const go = el("button", "quiet", "Go to its orders");
        go.type = "button";
        go.addEventListener("click", () => {
          row.scrollIntoView({ block: "center" });
          row.querySelector("[name=stance]").focus();
        });
        pick.append(go);
      });
    }
  }

  // ---- the white cell's forms
  document.querySelectorAll("form.api").forEach((form) => {
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      if (form.dataset.confirm && !window.confirm(form.dataset.confirm.replace(/\s+/g, " "))) return;
      const fields = {};
      new FormData(form).forEach((value, key) => { fields[key] = value; });
      const payload = form.dataset.kind ? { kind: form.dataset.kind, params: fields } : fields;
      const result = form.querySelector(".result");
      const button = form.querySelector("button[type=submit]");
      button.disabled = true;
      try {
        const { ok, data } = await api(form.dataset.endpoint, payload);
        if (ok) {
          const what = data.result && typeof data.result === "string" ? data.result : data.action;
          reloadWith(`Done: ${what}.`, true);       // the orders not yet sent stay in their form
          return;
        }
        result.textContent = (data.errors || ["refused"]).join("\n");
        result.className = "result error";
        result.hidden = false;
      } catch (err) {
        result.textContent = "The server did not answer.";
        result.className = "result error";
        result.hidden = false;
      } finally {
        button.disabled = false;
      }
    });
  });

  // ---- the debrief's turn slider: show one turn, load its maps when first shown
  const slider = document.getElementById("turn-slider");
  if (slider) {
    const sections = Array.from(document.querySelectorAll("section.dturn"));
    const label = document.getElementById("turn-label");
    const show = (k) => {
      k = Math.max(0, Math.min(sections.length - 1, k));
      slider.value = String(k);
      sections.forEach((section, i) => {
        section.hidden = i !== k;
        if (i === k) section.querySelectorAll("img[data-src]").forEach((img) => {
          img.src = img.dataset.src;
          img.removeAttribute("data-src");
        });
      });
      label.textContent = `turn ${k + 1} of ${sections.length}`;
    };
    slider.addEventListener("input", () => show(Number(slider.value)));
    document.getElementById("prev").addEventListener("click", () => show(Number(slider.value) - 1));
    document.getElementById("next").addEventListener("click", () => show(Number(slider.value) + 1));
    document.addEventListener("keydown", (ev) => {
      if (ev.key === "ArrowLeft") show(Number(slider.value) - 1);
      if (ev.key === "ArrowRight") show(Number(slider.value) + 1);
    });
    show(0);
  }

  // ---- the projector: news and clocks
  let openFor = Number(body.dataset.openFor || 0);
  let polledAt = Date.now();
  function clock(seconds) {
    const m = Math.floor(seconds / 60);
    const s = Math.floor(seconds % 60);
    return `${m}:${String(s).padStart(2, "0")}`;
  }
  const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  function gameTime(iso) {           // "2024-11-27T17:00" as the server writes it: "27 Nov 17:00"
    if (!iso) return "";
    const [date, hm] = iso.split("T");
    const [, month, day] = date.split("-");
    return `${day} ${MONTHS[Number(month) - 1]} ${(hm || "").slice(0, 5)}`;
  }
  function renderProjector(s) {
    // the game has just ended (or a rewind reopened it): the page comes back with the result (or the clock)
    if (Boolean(s.finished) !== Boolean(body.dataset.finished)) { window.location.reload(); return; }
    if (s.finished) return;             // the end page's latest news stands as the server wrote it
    openFor = s.open_for || 0;
    polledAt = Date.now();
    const news = document.getElementById("news");
    if (!news) return;
    news.textContent = "";
    const items = (s.news || []).slice().reverse();
    if (!items.length) news.appendChild(el("li", "dim", "No city has changed hands yet."));
    for (const x of items) {
      const li = el("li");
      li.appendChild(el("time", "", gameTime(x.time)));
      const side = (id) => (s.side_names && s.side_names[id]) || id;
      let text = x.kind;
      if (x.kind === "city_captured") text = `${x.name} taken by ${side(x.side)} (from ${side(x.from_side)})`;
      else if (x.kind === "base_captured") text = `${x.name} taken by ${side(x.side)}`;
      else if (x.kind === "regime_collapsed") text = x.side === "regime" ? "The regime collapses"
        : `The regime of ${side(x.side)} collapses`;                  // as play/news.py words it
      else if (x.kind === "campaign_ended") text = `the campaign ends: ${x.reason || ""}`;
      li.append(" ", text);
      news.appendChild(li);
    }
  }
  if (kind === "projector") {
    const tick = () => {
      const open = document.getElementById("open-for");
      const wall = document.getElementById("wall-clock");
      if (open) {
        open.textContent = body.dataset.finished ? "game over" : clock(openFor + (Date.now() - polledAt) / 1000);
      }
      if (wall) wall.textContent = new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hour12: false });
    };
    tick();
    setInterval(tick, 1000);
  }

  restoreOrders();
  if (["team", "instructor", "projector"].includes(kind)) setTimeout(poll, POLL_MS);
})();
