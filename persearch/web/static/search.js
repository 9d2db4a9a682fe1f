// Search as you type. The page works without this file: the form submits ?q=
// (with the filters, sort and facets the search keeps, as hidden fields) and
// the server renders the results. Here, a pause in typing fetches that same
// page and swaps in its results part, so the HTML (escaped by the server) is
// built in one place; the address bar follows, so the results can be shared.
"use strict";
(function () {
  const form = document.querySelector("form.search");
  const input = form && form.querySelector("input[name=q]");
  const status = document.getElementById("status");
  if (!input || !window.fetch || !window.DOMParser || !window.AbortController) return;
  const PAUSE_MS = 250;
  let timer = 0;
  let pending = null;
  let shown = input.value.trim();

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(update, PAUSE_MS);
  });

  async function update() {
    const query = input.value.trim();
    if (query === shown) return;
    const address = new URL(form.action, location.href);
    const params = new URLSearchParams(new FormData(form));  // q, and what the search keeps
    if (query) params.set("q", query);
    else params.delete("q");
    address.search = query || params.has("filter") ? params.toString() : "";
    if (pending) pending.abort();
    const controller = new AbortController();
    pending = controller;
    let page;
    try {
      const response = await fetch(address, { signal: controller.signal, headers: { Accept: "text/html" } });
      page = new DOMParser().parseFromString(await response.text(), "text/html");
    } catch (error) {
      if (error.name !== "AbortError") console.warn("persearch: search as you type failed", error);
      return;
    }
    if (pending !== controller) return;  // a newer search went out meanwhile
    pending = null;
    const fresh = page.getElementById("results");
    const results = document.getElementById("results");
    if (!fresh || !results) return;
    results.replaceWith(document.adoptNode(fresh));
    document.title = page.title;
    const freshStatus = page.getElementById("status");
    if (status && freshStatus) status.textContent = freshStatus.textContent;
    history.replaceState(null, "", address);
    shown = query;
  }
})();
