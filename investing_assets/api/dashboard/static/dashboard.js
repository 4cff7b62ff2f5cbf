// Draws every figure the server built: each .chart element carries its plotly figure as JSON in data-figure.
(function () {
  function draw() {
    document.querySelectorAll(".chart[data-figure]").forEach(function (el) {
      var figure = JSON.parse(el.dataset.figure);
      Plotly.newPlot(el, figure.data, figure.layout, {responsive: true, displaylogo: false})
        .then(function () { el.dataset.rendered = "true"; });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();

// The chat panel (issue 15): a request is POSTed to /chat; the panel shows the plan (job, partitions, symbols) with
// a Confirm button, or the answer, or the one-line refusal; Confirm POSTs the plan's launch and lists the run ids,
// linked to the Dagster UI when the app knows its URL. Off loopback the POSTs need the API token: a 401 asks for
// it (kept for this tab only), a 403 says launching is off. The conversation's history comes from /chat/history.
(function () {
  var panel = document.getElementById("chat-panel");
  if (!panel || !document.getElementById("chat-form")) { return; }
  var form = document.getElementById("chat-form");
  var input = document.getElementById("chat-input");
  var result = document.getElementById("chat-result");
  var historyList = document.getElementById("chat-history");
  var tokenRow = document.getElementById("chat-token");
  var tokenInput = document.getElementById("chat-token-input");
  var ui = (panel.dataset.dagsterUi || "").replace(/\/+$/, "");

  function conversation() {
    var id = localStorage.getItem("investing-chat-conversation");
    if (!id) {
      id = "web-" + Math.random().toString(36).slice(2, 12);
      localStorage.setItem("investing-chat-conversation", id);
    }
    return id;
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function show(node) { result.replaceChildren(node); }

  function post(url, body) {
    var headers = {"Content-Type": "application/json", "Accept": "application/json"};
    var token = sessionStorage.getItem("investing-api-token");
    if (token) { headers.Authorization = "Bearer " + token; }
    return fetch(url, {method: "POST", headers: headers, body: JSON.stringify(body || {})})
      .then(function (response) {
        return response.json().catch(function () { return {detail: response.statusText}; })
          .then(function (data) { return {status: response.status, ok: response.ok, data: data}; });
      });
  }

  function refusal(answer) {
    var detail = (answer.data && answer.data.detail) || "no answer";
    var forbidden = answer.status === 401 || answer.status === 403;
    tokenRow.hidden = answer.status !== 401;
    var box = el("p", {id: "chat-refusal", "class": forbidden ? "chat-refusal forbidden" : "chat-refusal",
                       "data-status": answer.status},
                 (forbidden ? "Not allowed (HTTP " + answer.status + "): " : "Refused: ") + detail);
    show(box);
  }

  function failed(error) {
    show(el("p", {id: "chat-refusal", "class": "chat-refusal", "data-status": "0"},
            "The API did not answer: " + error));
  }

  function field(list, name, value) {
    list.appendChild(el("dt", {}, name));
    list.appendChild(el("dd", {"data-field": name}, value));
  }

  function partitionsText(partitions) {
    if (!partitions.length) { return "(unpartitioned)"; }
    if (partitions.length <= 3) { return partitions.join(", "); }
    return partitions.length + ": " + partitions[0] + " .. " + partitions[partitions.length - 1];
  }

  function showPlan(plan) {
    var box = el("div", {id: "chat-plan", "class": "chat-plan", "data-plan-id": plan.id});
    box.appendChild(el("p", {"class": "chat-summary"}, plan.summary));
    var list = el("dl", {});
    field(list, "job", plan.job);
    field(list, "partitions", partitionsText(plan.partitions || []));
    if (plan.symbols && plan.symbols.length) { field(list, "symbols", plan.symbols.join(", ")); }
    if (plan.run_config && Object.keys(plan.run_config).length) {
      field(list, "run config", JSON.stringify(plan.run_config));
    }
    field(list, "parsed by", plan.parsed_by);
    box.appendChild(list);
    var confirm = el("button", {id: "chat-confirm", type: "button"}, "Confirm and launch");
    confirm.addEventListener("click", function () { launch(plan, confirm); });
    box.appendChild(confirm);
    show(box);
  }

  function showAnswer(plan, body) {
    var box = el("div", {id: "chat-answer", "class": "chat-answer"});
    box.appendChild(el("p", {"class": "chat-summary"}, plan.summary +
                           (body.as_of ? " (as of " + body.as_of + ")" : "") + (body.synthetic ? " · synthetic" : "")));
    var rows = Array.isArray(body.data) ? body.data : [];
    if (!rows.length) {
      box.appendChild(el("p", {"class": "muted"}, "nothing stored yet"));
    } else {
      var columns = Object.keys(rows[0]).filter(function (name) {
        return rows.some(function (row) { return row[name] === null || typeof row[name] !== "object"; });
      }).slice(0, 5);
      var table = el("table", {});
      var head = el("tr", {});
      columns.forEach(function (name) { head.appendChild(el("th", {}, name)); });
      table.appendChild(head);
      rows.slice(0, 10).forEach(function (row) {
        var line = el("tr", {"data-row": ""});
        columns.forEach(function (name) {
          var value = row[name];
          line.appendChild(el("td", {}, value === null || value === undefined ? "" :
                                          typeof value === "object" ? JSON.stringify(value) : value));
        });
        table.appendChild(line);
      });
      box.appendChild(table);
    }
    show(box);
  }

  function showLaunched(body) {
    var box = el("div", {id: "chat-launched", "class": "chat-launched"});
    var ids = Object.keys(body.runs || {});
    box.appendChild(el("p", {"class": "chat-summary"}, "launched " + body.job +
                           (body.submitted_to_daemon ? " (submitted to the running daemon)" : "")));
    if (body.backfill_id) { box.appendChild(el("p", {"data-backfill-id": body.backfill_id}, "backfill " + body.backfill_id)); }
    var list = el("ul", {});
    ids.forEach(function (id) {
      var item = el("li", {"data-run-id": id});
      item.appendChild(ui ? el("a", {href: ui + "/runs/" + encodeURIComponent(id), target: "_blank", rel: "noopener"}, id)
                          : el("code", {}, id));
      item.appendChild(document.createTextNode(" " + body.runs[id]));
      list.appendChild(item);
    });
    box.appendChild(list);
    show(box);
  }

  function launch(plan, button) {
    button.disabled = true;
    button.textContent = "Launching…";
    post("/chat/plans/" + encodeURIComponent(plan.id) + "/launch").then(function (answer) {
      if (answer.ok) { showLaunched(answer.data); } else { refusal(answer); }
    }, failed).then(loadHistory);
  }

  function loadHistory() {
    return fetch("/chat/history?conversation=" + encodeURIComponent(conversation()))
      .then(function (response) { return response.json(); })
      .then(function (body) {
        historyList.replaceChildren.apply(historyList, (body.messages || []).map(function (message) {
          var item = el("li", {"class": "chat-" + message.role, "data-role": message.role});
          item.appendChild(el("span", {"class": "chat-role"}, message.role === "user" ? "you" : "chat"));
          item.appendChild(document.createTextNode(" " + message.text));
          return item;
        }));
        panel.dataset.historyLoaded = "true";
      }, function () { panel.dataset.historyLoaded = "false"; });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) { return; }
    if (tokenInput.value) { sessionStorage.setItem("investing-api-token", tokenInput.value); }
    show(el("p", {"class": "muted"}, "…"));
    post("/chat", {request: text, conversation: conversation()}).then(function (answer) {
      if (!answer.ok) { refusal(answer); return; }
      var plan = answer.data.plan;
      if (plan.action === "answer") { showAnswer(plan, answer.data); } else { showPlan(plan); }
    }, failed).then(loadHistory);
  });
  loadHistory();
})();
