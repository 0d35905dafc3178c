/*
 * Questionnaire section pages, progressively enhanced (the page works without this file):
 *
 * - Autosave: changes are debounced and posted to the autosave endpoint (with the CSRF token in
 *   X-CSRFToken). The first save posts the whole section form; later ones carry the fields of
 *   the items changed since the server last confirmed them as stored ("changed_items"), and
 *   every item's base, so the server still hears of items someone else changed. An item that
 *   could not be saved (an error, a conflict, hidden) is never confirmed, so it goes again
 *   with the next save. "Saved at 14:32" appears in a polite live region. On failure the
 *   answers stay on the page, the status says so, and saving is retried.
 * - Skip logic: items whose show_if no longer holds are hidden at once, using the conditions the
 *   server put in <script type="application/json" id="skip-logic">. The server stays the
 *   authority: every autosave answers with the visibility it computed, which is applied.
 * - N/A: ticking it switches the item's rating radios off (disabled, so not posted and not
 *   stored, with a visible hint tied to each rating group by aria-describedby) without clearing
 *   them; unticking switches them on again with the choices made on this page. The
 *   justification box is shown only while N/A is ticked (or already has text).
 * - Save status: one state at a time (pending, saving, saved, invalid, failed, conflict), so the
 *   bar never says "saved" and "not saved" at once.
 * - Character counters on long text boxes (data-max-length): a visible count, and a polite live
 *   region that speaks at most every few seconds, only near or over the limit.
 */
(function () {
  "use strict";

  var form = document.getElementById("section-form");
  if (!form || !window.fetch || !window.FormData) {
    return;
  }
  var statusBox = form.querySelector("[data-autosave-status]");
  var autosaveUrl = form.getAttribute("data-autosave-url");
  var logicNode = document.getElementById("skip-logic");
  var logic = { conditions: {}, external: {} };
  try {
    logic = JSON.parse(logicNode ? logicNode.textContent : "{}") || logic;
  } catch (error) {
    logic = { conditions: {}, external: {} };
  }
  var conditions = logic.conditions || {};
  var external = logic.external || {};

  var DEBOUNCE_MS = 1200;
  var RETRY_MS = [3000, 6000, 12000, 30000];
  var timer = null;
  var inFlight = false;
  var dirty = false;
  var changedDuringFlight = false;
  var failures = 0;
  var submitting = false;

  var items = {};
  Array.prototype.forEach.call(form.querySelectorAll("[data-item]"), function (node) {
    items[node.getAttribute("data-item")] = node;
  });
  var itemIds = Object.keys(items);

  // Each item's fields as last posted and confirmed by the server as stored (by item id), and
  // those of the save in flight: a save carries only the items whose fields differ.
  var confirmed = {};
  var sending = {};

  // A second live region for "more questions shown", so it does not replace the save status.
  var skipStatus = document.createElement("p");
  skipStatus.className = "visually-hidden";
  skipStatus.setAttribute("role", "status");
  skipStatus.setAttribute("aria-live", "polite");
  form.appendChild(skipStatus);

  function fieldsNamed(name) {
    return form.querySelectorAll('[name="' + name.replace(/"/g, '\\"') + '"]');
  }

  // --- Skip logic (mirrors rubric_app/scoring/visibility.py) -------------------------------

  function valueOnPage(itemId, dimension) {
    var na = fieldsNamed(itemId + "__na");
    if (na.length && na[0].checked) {
      return null;
    }
    var inputs = fieldsNamed(itemId + "__" + dimension);
    if (!inputs.length) {
      return null;
    }
    var first = inputs[0];
    if (first.type === "radio") {
      for (var i = 0; i < inputs.length; i += 1) {
        if (inputs[i].checked) {
          return inputs[i].value;
        }
      }
      return null;
    }
    if (first.type === "checkbox") {
      var ticked = [];
      for (var j = 0; j < inputs.length; j += 1) {
        if (inputs[j].checked) {
          ticked.push(inputs[j].value);
        }
      }
      return ticked.length ? ticked : null;
    }
    var text = (first.value || "").trim();
    return text ? text : null;
  }

  function valueOf(itemId, dimension) {
    if (items[itemId]) {
      return valueOnPage(itemId, dimension);
    }
    var known = external[itemId];
    if (!known || known.not_applicable) {
      return null;
    }
    var value = (known.values || {})[dimension];
    if (value === undefined || value === null || value === "" || (Array.isArray(value) && !value.length)) {
      return null;
    }
    return value;
  }

  function referenced(condition) {
    if (condition.item) {
      return [condition.item];
    }
    var refs = [];
    (condition.conditions || []).forEach(function (child) {
      refs = refs.concat(referenced(child));
    });
    return refs;
  }

  function holds(condition) {
    if (condition.op === "all") {
      return (condition.conditions || []).every(holds);
    }
    if (condition.op === "any") {
      return (condition.conditions || []).some(holds);
    }
    var value = valueOf(condition.item, condition.dimension);
    if (value === null) {
      return condition.op === "not_equals";
    }
    var values = condition.values || [];
    var matches = Array.isArray(value)
      ? value.some(function (key) { return values.indexOf(key) !== -1; })
      : values.indexOf(value) !== -1;
    return condition.op === "not_equals" ? !matches : matches;
  }

  function computeVisibility() {
    var memo = {};
    var busy = {};
    function visible(itemId) {
      if (Object.prototype.hasOwnProperty.call(memo, itemId)) {
        return memo[itemId];
      }
      if (!items[itemId]) {
        var known = external[itemId];
        return known ? known.visible !== false : true;
      }
      if (busy[itemId]) {
        return false;
      }
      busy[itemId] = true;
      var condition = conditions[itemId];
      var result = true;
      if (condition) {
        result = referenced(condition).every(visible) && holds(condition);
      }
      busy[itemId] = false;
      memo[itemId] = result;
      return result;
    }
    var map = {};
    Object.keys(items).forEach(function (itemId) {
      map[itemId] = visible(itemId);
    });
    return map;
  }

  function applyVisibility(map) {
    var shown = 0;
    Object.keys(map).forEach(function (itemId) {
      var node = items[itemId];
      if (!node) {
        return;
      }
      var wasHidden = node.hidden;
      node.hidden = !map[itemId];
      if (wasHidden && !node.hidden) {
        shown += 1;
      }
    });
    if (shown) {
      skipStatus.textContent = shown === 1 ? "1 more question is now shown below." : shown + " more questions are now shown below.";
    }
  }

  // --- N/A justification --------------------------------------------------------------------

  function describedBy(node, id, on) {
    var ids = (node.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (part) {
      return part && part !== id;
    });
    if (on) {
      ids.unshift(id);
    }
    if (ids.length) {
      node.setAttribute("aria-describedby", ids.join(" "));
    } else {
      node.removeAttribute("aria-describedby");
    }
  }

  function syncRatings(item, notApplicable) {
    var hint = item.querySelector("[data-na-hint]");
    if (hint) {
      hint.hidden = !notApplicable;
    }
    Array.prototype.forEach.call(item.querySelectorAll(".q-dimension"), function (group) {
      // Switched off, not cleared: a disabled radio is not posted, so the server stores no
      // rating while N/A is ticked, and unticking brings back the choices made on this page.
      Array.prototype.forEach.call(group.querySelectorAll('input[type="radio"]'), function (radio) {
        radio.disabled = notApplicable;
      });
      if (hint) {
        describedBy(group, hint.id, notApplicable);
      }
    });
  }

  function syncNotApplicable(block) {
    var box = block.querySelector('input[type="checkbox"]');
    var reason = block.querySelector("[data-na-reason]");
    if (!box || !reason) {
      return;
    }
    var item = block.closest ? block.closest("[data-item]") : null;
    if (item) {
      syncRatings(item, box.checked);
    }
    var text = reason.querySelector("textarea");
    var hasError = reason.querySelector(".field__error");
    reason.hidden = !box.checked && !(text && text.value.trim()) && !hasError;
  }

  Array.prototype.forEach.call(form.querySelectorAll("[data-na]"), syncNotApplicable);

  // --- Status messages ----------------------------------------------------------------------

  function clock(date) {
    var hours = String(date.getHours()).padStart(2, "0");
    var minutes = String(date.getMinutes()).padStart(2, "0");
    return hours + ":" + minutes;
  }

  // The one save state shown; a change of state replaces the whole message.
  var saveState = "";

  function setStatus(kind, parts, state) {
    saveState = state || kind;
    statusBox.className = "q-autosave" + (kind ? " q-autosave--" + kind : "");
    statusBox.textContent = "";
    parts.forEach(function (part) {
      if (typeof part === "string") {
        statusBox.appendChild(document.createTextNode(part));
      } else {
        var link = document.createElement("a");
        link.href = part.href;
        link.textContent = part.text;
        statusBox.appendChild(link);
      }
    });
  }

  function notSaved(reason) {
    var parts = ["Not saved — your answers are still on this page. "];
    if (reason) {
      parts.push(reason + " ");
    }
    parts.push("Trying again shortly.");
    setStatus("error", parts, "failed");
  }

  function markPending() {
    // Typing after a save: the earlier "Saved at" no longer describes the page.
    if (saveState === "saved" || saveState === "invalid" || saveState === "") {
      setStatus("pending", ["Changes not saved yet."], "pending");
    }
    Array.prototype.forEach.call(document.querySelectorAll(".flash--success"), function (node) {
      if (/^Saved at /.test(node.textContent || "")) {
        node.remove();
      }
    });
  }

  // --- Saving -------------------------------------------------------------------------------

  function schedule(delay) {
    if (submitting) {
      return;
    }
    window.clearTimeout(timer);
    timer = window.setTimeout(save, delay);
  }

  function applyBases(bases) {
    Object.keys(bases || {}).forEach(function (itemId) {
      var base = fieldsNamed(itemId + "__base");
      if (base.length) {
        base[0].value = bases[itemId];
      }
    });
  }

  // Who saved the other version of the conflicting items: this same user in another tab or
  // window (the server says which, conflicts_by_you), someone else, or some of each.
  function conflictText(conflicts, byYou) {
    var count = conflicts.length;
    var items = count === 1 ? "1 item" : count + " items";
    var notSaved = ", so " + (count === 1 ? "it was" : "they were") + " not saved here. ";
    if (count && byYou.length === count) {
      return "You also changed " + items + " in another tab or window" + notSaved;
    }
    var who = byYou.length ? "Someone else, or you in another tab or window," : "Someone else";
    return who + " changed " + items + " you also changed" + notSaved;
  }

  // The item a field belongs to ("<item>__<part>"), or null for the page's own fields.
  function itemOf(name) {
    var at = name.lastIndexOf("__");
    var itemId = at > 0 ? name.slice(0, at) : "";
    return Object.prototype.hasOwnProperty.call(items, itemId) ? itemId : null;
  }

  // The post of a save: the page's own fields, every item's base, and the fields of the items
  // that changed since the server confirmed them, named in "changed_items". The first save
  // (nothing confirmed yet) posts the whole form, as the Save buttons do.
  function changedFields(all) {
    var page = [];
    var fieldsOf = {};
    all.forEach(function (value, name) {
      var itemId = itemOf(name);
      if (itemId === null || name === itemId + "__base") {
        page.push([name, value]);
      } else {
        (fieldsOf[itemId] = fieldsOf[itemId] || []).push([name, value]);
      }
    });
    sending = {};
    var changedIds = itemIds.filter(function (itemId) {
      var text = JSON.stringify(fieldsOf[itemId] || []);
      if (confirmed[itemId] === text) {
        return false;
      }
      sending[itemId] = text;
      return true;
    });
    if (changedIds.length === itemIds.length) {
      return all;
    }
    var body = new FormData();
    page.forEach(function (entry) {
      body.append(entry[0], entry[1]);
    });
    changedIds.forEach(function (itemId) {
      (fieldsOf[itemId] || []).forEach(function (entry) {
        body.append(entry[0], entry[1]);
      });
    });
    body.append("changed_items", changedIds.join(","));
    return body;
  }

  function handleSaved(data) {
    // Stored exactly as this save posted them: left off the next saves until they change.
    (data.confirmed || []).forEach(function (itemId) {
      if (Object.prototype.hasOwnProperty.call(sending, itemId)) {
        confirmed[itemId] = sending[itemId];
      }
    });
    applyBases(data.bases);
    var revision = fieldsNamed("base_revision");
    if (revision.length && data.revision !== undefined) {
      revision[0].value = String(data.revision);
    }
    if (!changedDuringFlight && data.visible) {
      applyVisibility(data.visible);
    } else {
      applyVisibility(computeVisibility());
    }
    var answered = document.querySelector("[data-answered]");
    var applicable = document.querySelector("[data-applicable]");
    if (answered && data.answered !== undefined) {
      answered.textContent = String(data.answered);
    }
    if (applicable && data.applicable !== undefined) {
      applicable.textContent = String(data.applicable);
    }
    var parts = ["Saved at " + clock(new Date()) + "."];
    var kind = "ok";
    var state = "saved";
    if (data.status === "conflict") {
      state = "conflict";
      var key = form.querySelector("[data-conflict-key]");
      if (key) {
        key.value = data.conflict_key || "";
      }
      kind = "error";
      parts = [
        conflictText(data.conflicts || [], data.conflicts_by_you || []) +
          (data.errors && data.errors.length ? "" : "Your other answers are saved. "),
        { href: data.conflict_url, text: "Choose which answers to keep" },
      ];
    }
    if (data.errors && data.errors.length) {
      // Some items could not be saved: say only that (and which), never "Saved at" beside it.
      kind = "error";
      parts = state === "conflict" ? parts.concat([" "]) : [];
      state = state === "conflict" ? state : "invalid";
      parts.push("Not saved yet: ");
      data.errors.forEach(function (error, index) {
        if (index) {
          parts.push("; ");
        }
        parts.push({ href: "#" + error.field, text: error.message });
      });
    }
    if (data.stale && data.stale.length) {
      // Said as for conflicts: this same user in another tab or window (stale_by_you), someone
      // else, or some of each.
      var staleByYou = data.stale_by_you || [];
      var staleItems = data.stale.length === 1 ? "1 item" : data.stale.length + " items";
      if (staleByYou.length === data.stale.length) {
        parts.push(" You also changed " + staleItems + " on this page in another tab or window; ");
        parts.push({ href: window.location.pathname, text: "reload to see those answers" });
      } else {
        var staleWho = staleByYou.length
          ? " Someone else, or you in another tab or window, has"
          : " Someone else has";
        parts.push(staleWho + " also changed " + staleItems + " on this page; ");
        parts.push({ href: window.location.pathname, text: "reload to see their answers" });
      }
      parts.push(".");
    }
    setStatus(kind, parts, state);
  }

  function save() {
    if (submitting) {
      return;
    }
    if (inFlight) {
      changedDuringFlight = true;
      return;
    }
    inFlight = true;
    changedDuringFlight = false;
    dirty = false;
    var token = fieldsNamed("csrf_token");
    var body = changedFields(new FormData(form));
    setStatus("", ["Saving…"], "saving");
    window
      .fetch(autosaveUrl, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: {
          "X-CSRFToken": token.length ? token[0].value : "",
          "X-Requested-With": "fetch",
          Accept: "application/json",
        },
      })
      .then(function (response) {
        return response
          .json()
          .catch(function () {
            return { status: "error", reason: "unreadable" };
          })
          .then(function (data) {
            return { ok: response.ok, code: response.status, data: data };
          });
      })
      .then(function (result) {
        inFlight = false;
        if (result.ok && (result.data.status === "saved" || result.data.status === "conflict")) {
          failures = 0;
          handleSaved(result.data);
          if (changedDuringFlight || dirty) {
            dirty = true;
            schedule(DEBOUNCE_MS);
          }
          return;
        }
        fail(result.code, result.data || {});
      })
      .catch(function () {
        inFlight = false;
        fail(0, {});
      });
  }

  function fail(code, data) {
    dirty = true;
    var reason = "";
    if (code === 401 || data.reason === "signin") {
      reason = "You have been signed out: press Save to sign in again, and we will keep them.";
    } else if (data.reason === "csrf") {
      reason = "This page has expired: press Save to keep them and carry on.";
    } else if (data.reason === "submitted") {
      setStatus("error", ["Not saved — this assessment has been submitted and is now read-only. Your answers are still on this page."], "failed");
      return;
    } else if (code === 0) {
      reason = "The connection was lost.";
    } else if (data.message) {
      reason = data.message;
    }
    notSaved(reason);
    var delay = RETRY_MS[Math.min(failures, RETRY_MS.length - 1)];
    failures += 1;
    schedule(delay);
  }

  function changed(event) {
    var block = event.target.closest ? event.target.closest("[data-na]") : null;
    if (block) {
      syncNotApplicable(block);
    }
    applyVisibility(computeVisibility());
    if (event.target.hasAttribute && event.target.hasAttribute("data-max-length")) {
      updateCounter(event.target);
    }
    markPending();
    dirty = true;
    if (inFlight) {
      changedDuringFlight = true;
    }
    schedule(DEBOUNCE_MS);
  }

  // --- Character counters -------------------------------------------------------------------

  var ANNOUNCE_EVERY_MS = 5000;
  var counterStatus = document.createElement("p");
  counterStatus.className = "visually-hidden";
  counterStatus.setAttribute("role", "status");
  counterStatus.setAttribute("aria-live", "polite");
  form.appendChild(counterStatus);
  var lastAnnounced = 0;
  var announceTimer = null;
  var announceText = "";

  function counterText(box) {
    var limit = parseInt(box.getAttribute("data-max-length"), 10);
    var left = limit - box.value.length;
    if (left < 0) {
      return (-left).toLocaleString("en-US") + " characters too many (the limit is " +
        limit.toLocaleString("en-US") + ")";
    }
    return left.toLocaleString("en-US") + (left === 1 ? " character" : " characters") + " left";
  }

  function announce(text) {
    // Speak at most every ANNOUNCE_EVERY_MS; the latest count wins.
    announceText = text;
    var wait = lastAnnounced + ANNOUNCE_EVERY_MS - Date.now();
    if (wait <= 0) {
      lastAnnounced = Date.now();
      counterStatus.textContent = announceText;
      return;
    }
    if (!announceTimer) {
      announceTimer = window.setTimeout(function () {
        announceTimer = null;
        lastAnnounced = Date.now();
        counterStatus.textContent = announceText;
      }, wait);
    }
  }

  function updateCounter(box) {
    var counter = document.getElementById(box.id + "-count");
    if (!counter) {
      return;
    }
    var limit = parseInt(box.getAttribute("data-max-length"), 10);
    var left = limit - box.value.length;
    counter.textContent = counterText(box);
    counter.classList.toggle("q-counter--over", left < 0);
    // Speak only near the limit (the last tenth) or over it: a running count of thousands of
    // characters left would drown out what is being typed.
    if (left < limit / 10) {
      announce(counterText(box));
    }
  }

  Array.prototype.forEach.call(form.querySelectorAll("textarea[data-max-length]"), function (box) {
    if (!box.id || !(parseInt(box.getAttribute("data-max-length"), 10) > 0)) {
      return;
    }
    var counter = document.createElement("p");
    counter.className = "q-counter";
    counter.id = box.id + "-count";
    box.insertAdjacentElement("afterend", counter);
    describedBy(box, counter.id, true);
    // The count is read with the field's description, after its hint and error.
    var ids = box.getAttribute("aria-describedby").split(" ");
    ids.push(ids.shift());
    box.setAttribute("aria-describedby", ids.join(" "));
    counter.textContent = counterText(box);
  });

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("submit", function () {
    // The Save buttons post the page the ordinary way; stop autosave racing them.
    submitting = true;
    window.clearTimeout(timer);
    // Post the ratings N/A switched off too: the server stores none while N/A is ticked, but a
    // page it sends back (a missing reason) then still holds them, to come back on untick.
    Array.prototype.forEach.call(form.querySelectorAll(".q-dimension input[type=radio]:disabled"), function (radio) {
      radio.disabled = false;
    });
  });
  window.addEventListener("beforeunload", function (event) {
    if (!submitting && (dirty || inFlight)) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  applyVisibility(computeVisibility());
})();
