/* Augury's page script. No money arithmetic happens here: every amount arrives as an
   integer the server computed (centi-cents, cents or centi-contracts) and is only turned
   into text (string work) for chart axes. Everything else on a page is server HTML. */
(function () {
  "use strict";

  /* --- formatting integers as text (no arithmetic on amounts) ------------------------- */
  function digits(n) {
    // Axis ticks can fall between integers: round for display only.
    var s = String(Math.round(Math.abs(n)));
    return { neg: n < 0 && s !== "0", s: s };
  }
  function group(s) { return s.replace(/\B(?=(\d{3})+(?!\d))/g, ","); }
  function fixed(s, places) {
    var padded = s.padStart(places + 1, "0");
    return { whole: padded.slice(0, padded.length - places), frac: padded.slice(padded.length - places) };
  }
  function centiCents(v) { // 5650 -> "56.5¢"
    var d = digits(v), f = fixed(d.s, 2), frac = f.frac.replace(/0+$/, "");
    return (d.neg ? "-" : "") + String(parseInt(f.whole, 10)) + (frac ? "." + frac : "") + "¢";
  }
  function centiContracts(v) { // 1050 -> "10.5"
    var d = digits(v), f = fixed(d.s, 2), frac = f.frac.replace(/0+$/, "");
    return (d.neg ? "-" : "") + group(String(parseInt(f.whole, 10))) + (frac ? "." + frac : "");
  }
  function cents(v) { // 123456 -> "$1,234.56"
    var d = digits(v), f = fixed(d.s, 2);
    return (d.neg ? "-" : "") + "$" + group(String(parseInt(f.whole, 10))) + "." + f.frac;
  }

  function cssVar(name) {
    return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  }

  function baseChart(el, formatter) {
    var LC = window.LightweightCharts;
    return LC.createChart(el, {
      autoSize: true,
      layout: { background: { color: "transparent" }, textColor: cssVar("--muted"), attributionLogo: true },
      grid: { vertLines: { color: cssVar("--grid") }, horzLines: { color: cssVar("--grid") } },
      rightPriceScale: { borderColor: cssVar("--border") },
      timeScale: { borderColor: cssVar("--border"), timeVisible: true, barSpacing: 10, rightOffset: 2 },
      localization: { priceFormatter: formatter },
    });
  }

  /* --- the market chart: candles + volume, refreshed when a trade is pushed ----------- */
  function marketChart(el) {
    if (!window.LightweightCharts) { return; }
    var LC = window.LightweightCharts;
    var chart = baseChart(el, centiCents);
    var candles = chart.addSeries(LC.CandlestickSeries, {
      upColor: cssVar("--up"), downColor: cssVar("--down"), borderVisible: false,
      wickUpColor: cssVar("--up"), wickDownColor: cssVar("--down"),
      priceFormat: { type: "custom", formatter: centiCents, minMove: 1 },
    });
    var volume = chart.addSeries(LC.HistogramSeries, {
      priceScaleId: "volume", color: cssVar("--accent-soft"),
      lastValueVisible: false, priceLineVisible: false,
      priceFormat: { type: "custom", formatter: centiContracts, minMove: 1 },
    });
    chart.priceScale("volume").applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } });
    candles.priceScale().applyOptions({ scaleMargins: { top: 0.08, bottom: 0.25 } });
    var period = "1m", busy = false, again = false, last = 0, fit = true;
    function load() {
      if (busy) { again = true; return; }
      busy = true; last = Date.now();
      fetch(el.dataset.candles + "?period=" + period, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : { candles: [] }; })
        .then(function (data) {
          candles.setData(data.candles.map(function (c) {
            return { time: c.t, open: c.o, high: c.h, low: c.l, close: c.c };
          }));
          volume.setData(data.candles.map(function (c) { return { time: c.t, value: c.v }; }));
          // Fit a long history to the width; a short one keeps readable candle widths.
          if (fit && data.candles.length >= 60) { chart.timeScale().fitContent(); }
          fit = false;
          el.dataset.loaded = String(data.candles.length);
          el.dataset.lastClose = data.candles.length ? String(data.candles[data.candles.length - 1].c) : "";
        })
        .catch(function () { /* the next pushed trade tries again */ })
        .then(function () {
          busy = false;
          if (again) { again = false; setTimeout(load, Math.max(0, 250 - (Date.now() - last))); }
        });
    }
    document.querySelectorAll(".chart-tabs [data-period]").forEach(function (button) {
      button.addEventListener("click", function () {
        period = button.dataset.period;
        fit = true;
        document.querySelectorAll(".chart-tabs [data-period]").forEach(function (b) {
          b.setAttribute("aria-pressed", b === button ? "true" : "false");
        });
        load();
      });
    });
    document.body.addEventListener("htmx:sseMessage", function (evt) {
      if (evt.detail && evt.detail.type === "trade") { load(); }
    });
    load();
  }

  /* --- the equity chart on the portfolio page ----------------------------------------- */
  function equityChart(el) {
    if (!window.LightweightCharts) { return; }
    var LC = window.LightweightCharts;
    var chart = baseChart(el, cents);
    var line = chart.addSeries(LC.AreaSeries, {
      lineColor: cssVar("--accent"), topColor: cssVar("--accent-soft"), bottomColor: "transparent",
      priceFormat: { type: "custom", formatter: cents, minMove: 1 },
    });
    fetch(el.dataset.src, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        line.setData(data.points.map(function (p) { return { time: p.t, value: p.v }; }));
        chart.timeScale().fitContent();
        el.dataset.loaded = String(data.points.length);
      });
  }

  /* --- API keys made in this browser (WebCrypto); the private key never leaves it ----- */
  function pem(label, buffer) {
    var bytes = new Uint8Array(buffer), text = "";
    for (var i = 0; i < bytes.length; i++) { text += String.fromCharCode(bytes[i]); }
    var b64 = btoa(text).replace(/(.{64})/g, "$1\n");
    return "-----BEGIN " + label + "-----\n" + b64.replace(/\n$/, "") + "\n-----END " + label + "-----\n";
  }
  function keygen(form) {
    form.addEventListener("submit", function (evt) {
      evt.preventDefault();
      var type = form.querySelector("[name=algorithm]:checked").value;
      var status = document.getElementById("keygen-status");
      var algo = type === "ed25519"
        ? { name: "Ed25519" }
        : { name: "RSA-PSS", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" };
      status.textContent = "Generating…";
      crypto.subtle.generateKey(algo, true, ["sign", "verify"]).then(function (pair) {
        return Promise.all([
          crypto.subtle.exportKey("spki", pair.publicKey),
          crypto.subtle.exportKey("pkcs8", pair.privateKey),
        ]);
      }).then(function (parts) {
        var upload = document.getElementById("key-upload");
        upload.querySelector("[name=public_key]").value = pem("PUBLIC KEY", parts[0]);
        upload.querySelector("[name=name]").value = form.querySelector("[name=name]").value;
        var privateKey = pem("PRIVATE KEY", parts[1]);
        var out = document.getElementById("private-key");
        out.value = privateKey;
        document.getElementById("private-key-box").classList.remove("hidden");
        var link = document.getElementById("private-key-download");
        link.href = URL.createObjectURL(new Blob([privateKey], { type: "application/x-pem-file" }));
        status.textContent = "Key generated in this browser. Registering the public half…";
        upload.requestSubmit();
      }).catch(function (err) {
        status.textContent = "This browser cannot generate that key type: " + err.name;
      });
    });
  }

  function copyButtons(root) {
    root.querySelectorAll("[data-copy]").forEach(function (button) {
      if (button.dataset.bound) { return; }
      button.dataset.bound = "1";
      button.addEventListener("click", function () {
        var source = document.getElementById(button.dataset.copy);
        var text = source.value !== undefined ? source.value : source.textContent;
        if (navigator.clipboard) {
          navigator.clipboard.writeText(text).then(function () { button.textContent = "Copied"; }, function () {});
        }
      });
    });
  }

  /* A live refresh of a section never throws away what the person is typing: while a
     form in it is open or focused, the refresh waits for the next change. It is checked
     twice: before the request, and again before the swap (a form opened while the
     refresh was in flight keeps its state; the stale answer is dropped). */
  function busy(elt) {
    if (!elt || !elt.hasAttribute("data-live-refresh")) { return false; }
    var active = document.activeElement;
    var typing = active && elt.contains(active) && active.matches("input, select, textarea");
    return Boolean(typing || elt.querySelector("details[open]"));
  }
  function keepOpenForms(evt) {
    if (busy(evt.detail && evt.detail.elt)) { evt.preventDefault(); }
  }
  function keepOpenFormsOnSwap(evt) {
    // The element that made the request (detail.elt is the swap target here): only a
    // section's own refresh is dropped, never the answer to a form posted from inside it.
    var d = evt.detail || {};
    var config = d.requestConfig || {};
    if (config.verb === "get" && busy(config.elt)) { d.shouldSwap = false; }
  }

  function start() {
    document.body.addEventListener("htmx:beforeRequest", keepOpenForms);
    document.body.addEventListener("htmx:beforeSwap", keepOpenFormsOnSwap);
    var chart = document.getElementById("chart");
    if (chart) { marketChart(chart); }
    var equity = document.getElementById("equity");
    if (equity) { equityChart(equity); }
    var form = document.getElementById("keygen");
    if (form) { keygen(form); }
    copyButtons(document);
    document.body.addEventListener("htmx:afterSwap", function (evt) { copyButtons(evt.target); });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
