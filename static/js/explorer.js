/* The research graph explorer (templates/graph/explorer.html).
 *
 * Draws the network the graph API returns (/api/researchers/<id>/graph/?depth=1|2) with
 * cytoscape.js, and keeps a list of the same nodes next to it whose buttons do what a click on
 * the drawing does, so everything works from the keyboard. Selecting a person expands their
 * own neighbours (fetched from the API); checkboxes hide a kind of node; two year boxes hide
 * works and links outside a range. Without JavaScript the page shows plain lists instead.
 */
(function () {
  "use strict";

  var root = document.getElementById("graph-explorer");
  if (!root || typeof window.cytoscape !== "function") {
    return;
  }

  var colours = JSON.parse(root.dataset.colours);
  var apiTemplate = root.dataset.apiTemplate;
  var centerId = root.dataset.center;
  var canvas = document.getElementById("graph-canvas");
  var side = document.getElementById("graph-side");
  var controls = document.getElementById("graph-controls");
  var list = document.getElementById("graph-node-list");
  var selection = document.getElementById("graph-selection");
  var statusLine = document.getElementById("graph-status");
  var yearFrom = document.getElementById("graph-year-from");
  var yearTo = document.getElementById("graph-year-to");
  var yearNote = document.getElementById("graph-year-note");
  var KIND_NAMES = { researcher: "Person", work: "Paper", topic: "Topic", institution: "Institution" };
  var KIND_ORDER = { researcher: 0, work: 1, topic: 2, institution: 3 };

  canvas.hidden = false;
  side.hidden = false;
  controls.hidden = false;

  function apiUrl(pk, depth) {
    return apiTemplate.replace("/0/", "/" + pk + "/") + "?depth=" + depth;
  }

  function short(text) {
    return text.length > 48 ? text.slice(0, 46) + "…" : text;
  }

  var cy = window.cytoscape({
    container: canvas,
    minZoom: 0.1,
    maxZoom: 4,
    wheelSensitivity: 0.3,
    style: [
      {
        selector: "node",
        style: {
          "background-color": "data(colour)",
          width: "mapData(degree, 1, 30, 10, 34)",
          height: "mapData(degree, 1, 30, 10, 34)",
          label: "data(short)",
          "font-size": 10,
          // Labels appear once zoomed in (or on hover and selection): legible at 500 nodes.
          "min-zoomed-font-size": 16,
          "text-valign": "bottom",
          "text-margin-y": 3,
          color: "#1f2937",
          "text-outline-color": "#ffffff",
          "text-outline-width": 2
        }
      },
      { selector: "node[depth = 0]", style: { width: 40, height: 40, "font-size": 13, "min-zoomed-font-size": 0 } },
      { selector: "node[?close]", style: { "border-width": 3, "border-color": "#111827" } },
      { selector: "node.labelled", style: { "min-zoomed-font-size": 0 } },
      { selector: "node.expanded", style: { shape: "round-rectangle" } },
      {
        selector: "node:selected, node.hover",
        style: { "font-size": 13, "min-zoomed-font-size": 0, "z-index": 10, "border-width": 3, "border-color": "#f59e0b" }
      },
      {
        selector: "edge",
        style: { width: "mapData(weight, 1, 10, 1, 5)", "line-color": "#cbd5e1", "curve-style": "haystack", opacity: 0.8 }
      },
      { selector: ".filtered", style: { display: "none" } }
    ]
  });

  function say(message) {
    statusLine.textContent = message;
  }

  function colourOf(node) {
    if (node.type === "researcher") {
      return node.depth === 0 ? colours.researcher : colours.person;
    }
    return colours[node.type] || "#6b7280";
  }

  function addData(data, baseDepth) {
    var added = 0;
    cy.batch(function () {
      data.nodes.forEach(function (node) {
        var existing = cy.getElementById(node.id);
        var depth = node.id === centerId ? 0 : baseDepth + node.depth;
        if (existing.length) {
          if (depth < existing.data("depth")) {
            existing.data("depth", depth);
          }
          return;
        }
        var copy = Object.assign({}, node, { depth: depth, short: short(node.label) });
        copy.colour = colourOf(copy);
        cy.add({ group: "nodes", data: copy });
        added += 1;
      });
      data.edges.forEach(function (edge) {
        var id = [edge.source, edge.target].sort().join("|") + "|" + edge.type;
        if (!cy.getElementById(id).length && cy.getElementById(edge.source).length && cy.getElementById(edge.target).length) {
          cy.add({ group: "edges", data: Object.assign({ id: id }, edge) });
        }
      });
      cy.nodes().forEach(function (n) {
        n.data("degree", n.degree());
      });
    });
    return added;
  }

  // Rings around the researcher: their people (close collaborators first), then their papers,
  // topics and institutions, then whatever expanding brought in. Deterministic, fast at 500
  // nodes, and each ring reads as one kind of neighbour.
  function ring(n) {
    var d = n.data();
    if (d.depth === 0) {
      return 100;
    }
    if (d.depth === 1 && d.type === "researcher") {
      return d.close ? 80 : 70;
    }
    if (d.depth === 1) {
      return 50 - KIND_ORDER[d.type];
    }
    return 10;
  }

  function layout() {
    cy.layout({
      name: "concentric",
      animate: false,
      minNodeSpacing: 14,
      spacingFactor: 1.1,
      concentric: ring,
      levelWidth: function () {
        return 1;
      },
      sort: function (a, b) {
        return (KIND_ORDER[a.data("type")] - KIND_ORDER[b.data("type")]) || (b.data("degree") - a.data("degree"));
      }
    }).run();
    cy.fit(undefined, 20);
  }

  function yearBounds() {
    var years = cy.nodes("[type = 'work']").map(function (n) {
      return n.data("year");
    }).filter(function (y) {
      return typeof y === "number";
    });
    if (years.length) {
      yearFrom.placeholder = Math.min.apply(null, years);
      yearTo.placeholder = Math.max.apply(null, years);
    }
  }

  function applyFilters() {
    var kinds = Array.prototype.filter.call(controls.querySelectorAll("input[name=type]"), function (box) {
      return box.checked;
    }).map(function (box) {
      return box.value;
    });
    var range = yearRange();
    var from = range.from;
    var to = range.to;
    var dated = range.active;
    cy.batch(function () {
      // With a year range, a paper is in it when published in it; a person or a topic when one
      // of their papers in the drawing is; an institution when one of its people is. What is
      // out of range is hidden whatever the kind boxes say; the centre always stays.
      var inRange = {};
      cy.nodes("[type = 'work']").forEach(function (n) {
        var year = n.data("year");
        inRange[n.id()] = !dated || (typeof year === "number" && year >= from && year <= to);
      });
      function hasPaperInRange(n) {
        return n.neighborhood("node[type = 'work']").some(function (m) {
          return inRange[m.id()];
        });
      }
      ["researcher", "topic"].forEach(function (type) {
        cy.nodes("[type = '" + type + "']").forEach(function (n) {
          inRange[n.id()] = !dated || n.data("depth") === 0 || hasPaperInRange(n);
        });
      });
      cy.nodes("[type = 'institution']").forEach(function (n) {
        inRange[n.id()] = !dated || n.neighborhood("node[type = 'researcher']").some(function (m) {
          return hasPaperInRange(m);
        });
      });
      cy.nodes().forEach(function (n) {
        var d = n.data();
        var hide = d.depth !== 0 && (kinds.indexOf(d.type) < 0 || !inRange[n.id()]);
        n.toggleClass("filtered", hide);
      });
      cy.edges().forEach(function (e) {
        var d = e.data();
        var hide = e.source().hasClass("filtered") || e.target().hasClass("filtered");
        if (!hide && dated && typeof d.first_year === "number") {
          var last = typeof d.last_year === "number" ? d.last_year : d.first_year;
          hide = last < from || d.first_year > to;
        }
        e.toggleClass("filtered", hide);
      });
    });
    labelTopNodes();
    var shown = 0;
    Array.prototype.forEach.call(list.children, function (item) {
      var node = cy.getElementById(item.dataset.node);
      item.hidden = node.hasClass("filtered");
      shown += item.hidden ? 0 : 1;
    });
    say(shown + " of " + cy.nodes().length + " nodes shown" + (dated ? ", for " + yearWords(from, to) : "") + ".");
  }

  function yearWords(from, to) {
    if (from === -Infinity) {
      return "up to " + to;
    }
    if (to === Infinity) {
      return "from " + from;
    }
    return from === to ? String(from) : from + " to " + to;
  }

  // The two year boxes as a range. Typed the wrong way round ("2030" to "2021"), the range is
  // read from the smaller year to the larger, and the note under the boxes says so.
  function yearRange() {
    var from = parseInt(yearFrom.value, 10);
    var to = parseInt(yearTo.value, 10);
    var note = "";
    if (!isNaN(from) && !isNaN(to) && from > to) {
      note = "“From” is after “to”, so this shows " + to + " to " + from + ".";
      var swap = from;
      from = to;
      to = swap;
    }
    yearNote.textContent = note;
    yearNote.hidden = !note;
    yearFrom.setAttribute("aria-invalid", note ? "true" : "false");
    yearTo.setAttribute("aria-invalid", note ? "true" : "false");
    return {
      from: isNaN(from) ? -Infinity : from,
      to: isNaN(to) ? Infinity : to,
      active: !isNaN(from) || !isNaN(to)
    };
  }

  // Names on the drawing: the centre and the LABELLED most connected nodes shown are always
  // named; the others on hover, on selection or when zoomed in (the list names them all).
  var LABELLED = 15;

  function labelTopNodes() {
    var shown = cy.nodes().filter(function (n) {
      return !n.hasClass("filtered");
    }).sort(function (a, b) {
      return (a.data("depth") - b.data("depth")) || (b.degree() - a.degree());
    });
    cy.nodes().removeClass("labelled");
    shown.slice(0, LABELLED + 1).addClass("labelled");
    root.dataset.labelled = String(Math.min(shown.length, LABELLED + 1));
  }

  function button(text, label, onClick) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "button button--small button--quiet";
    b.textContent = text;
    b.setAttribute("aria-label", label);
    b.addEventListener("click", onClick);
    return b;
  }

  function openLink(d) {
    var a = document.createElement("a");
    a.href = d.url;
    a.textContent = "Open";
    a.setAttribute("aria-label", "Open the page of " + d.label);
    return a;
  }

  function canExpand(node) {
    return node.data("type") === "researcher" && !node.hasClass("expanded");
  }

  function renderList() {
    var nodes = cy.nodes().sort(function (a, b) {
      return (a.data("depth") - b.data("depth")) ||
        (KIND_ORDER[a.data("type")] - KIND_ORDER[b.data("type")]) ||
        a.data("label").localeCompare(b.data("label"));
    });
    list.textContent = "";
    nodes.forEach(function (node) {
      var d = node.data();
      var item = document.createElement("li");
      item.dataset.node = d.id;
      var dot = document.createElement("span");
      dot.className = "graph-kind graph-kind--" + d.type;
      dot.setAttribute("aria-hidden", "true");
      var text = document.createElement("span");
      text.className = "graph-node-list__label";
      text.textContent = d.label + (d.year ? " (" + d.year + ")" : "");
      text.title = KIND_NAMES[d.type];
      item.appendChild(dot);
      item.appendChild(text);
      item.appendChild(button("Show", "Show " + d.label + " in the drawing", function () {
        select(node, false);
      }));
      if (canExpand(node)) {
        item.appendChild(button("Expand", "Expand the neighbours of " + d.label, function () {
          select(node, true);
        }));
      }
      if (d.url) {
        item.appendChild(openLink(d));
      }
      list.appendChild(item);
    });
  }

  function showSelection(node) {
    var d = node.data();
    selection.textContent = "";
    var title = document.createElement("p");
    var strong = document.createElement("strong");
    strong.textContent = d.label;
    title.appendChild(strong);
    var facts = document.createElement("p");
    facts.className = "muted";
    facts.textContent = KIND_NAMES[d.type] + (d.year ? ", " + d.year : "") +
      (d.close ? ", close collaborator" : "") + ", " + node.degree() + " link" + (node.degree() === 1 ? "" : "s") + " shown";
    selection.appendChild(title);
    selection.appendChild(facts);
    if (d.url) {
      var p = document.createElement("p");
      p.appendChild(openLink(d));
      selection.appendChild(p);
    }
  }

  function select(node, expand) {
    cy.elements().unselect();
    node.select();
    cy.animate({ center: { eles: node }, duration: 200 });
    showSelection(node);
    if (expand && canExpand(node)) {
      expandNode(node);
    }
  }

  function expandNode(node) {
    node.addClass("expanded");
    say("Loading the neighbours of " + node.data("label") + "…");
    fetchGraph(node.data("pk"), 1).then(function (data) {
      var added = addData(data, node.data("depth"));
      layout();
      renderList();
      applyFilters();
      say("Added " + added + " node" + (added === 1 ? "" : "s") + " around " + node.data("label") + ". " + statusLine.textContent);
      root.dataset.expanded = String(Number(root.dataset.expanded || 0) + 1);
    }).catch(function () {
      node.removeClass("expanded");
      say("Could not load the neighbours of " + node.data("label") + ".");
    });
  }

  function fetchGraph(pk, depth) {
    return fetch(apiUrl(pk, depth), { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      });
  }

  function load(depth) {
    say("Loading the graph…");
    fetchGraph(centerId.split(":")[1], depth).then(function (data) {
      cy.elements().remove();
      addData(data, 0);
      cy.getElementById(centerId).addClass("expanded");
      layout();
      yearBounds();
      renderList();
      applyFilters();
      root.dataset.ready = "true";
    }).catch(function () {
      say("Could not load the graph; the lists below show the same neighbourhood.");
    });
  }

  cy.on("tap", "node", function (event) {
    select(event.target, true);
  });
  cy.on("mouseover", "node", function (event) {
    event.target.addClass("hover");
  });
  cy.on("mouseout", "node", function (event) {
    event.target.removeClass("hover");
  });
  controls.addEventListener("change", function (event) {
    if (event.target.name === "depth") {
      load(parseInt(event.target.value, 10));
    } else {
      applyFilters();
    }
  });
  controls.addEventListener("input", applyFilters);
  controls.addEventListener("submit", function (event) {
    event.preventDefault();
  });

  // Tests and curious users can reach the instance from the console.
  window.bzpeerGraph = cy;
  load(1);
})();
