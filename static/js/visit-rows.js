// The entry form's visit rows, better with JavaScript: "Add another visit" and "Remove" change the rows in the
// page instead of sending the form back. Without JavaScript the same buttons post the form and the server
// does it (brokerage/visit_rows.py). A file rather than an inline script, for the CSP.
(function () {
  "use strict";

  var container = document.querySelector("[data-module='hc-visit-rows']");
  var addButton = document.querySelector("[data-hc-add-visit]");
  var total = document.getElementById("id_visits-TOTAL_FORMS");
  var status = document.getElementById("visits-status");
  if (!container || !addButton || !total) {
    return;
  }
  var maxRows = parseInt(container.getAttribute("data-max-rows"), 10) || 60;

  function rows() {
    return Array.prototype.slice.call(container.querySelectorAll(".hc-visit-row"));
  }

  function say(text) {
    if (status) {
      status.textContent = text;
    }
  }

  // Give every row, and each of its fields, labels and buttons, the number of its place.
  function renumber() {
    rows().forEach(function (row, index) {
      row.setAttribute("data-row", String(index));
      row.querySelector("legend").textContent = "Visit " + (index + 1);
      row.querySelectorAll("[name^='visits-']").forEach(function (field) {
        field.name = field.name.replace(/^visits-\d+-/, "visits-" + index + "-");
        field.id = field.id.replace(/^id_visits-\d+-/, "id_visits-" + index + "-");
      });
      row.querySelectorAll("label[for^='id_visits-']").forEach(function (label) {
        label.htmlFor = label.htmlFor.replace(/^id_visits-\d+-/, "id_visits-" + index + "-");
        var hidden = label.querySelector(".govuk-visually-hidden");
        if (hidden) {
          hidden.textContent = "Visit " + (index + 1) + " ";
        }
      });
      var remove = row.querySelector("button[name='visits-remove']");
      remove.value = String(index);
      remove.querySelector(".govuk-visually-hidden").textContent = " visit " + (index + 1);
    });
    total.value = String(rows().length);
  }

  function blankCopyOf(row) {
    var copy = row.cloneNode(true);
    copy.querySelectorAll(".govuk-error-message").forEach(function (message) {
      message.remove();
    });
    copy.querySelectorAll(".govuk-form-group--error").forEach(function (group) {
      group.classList.remove("govuk-form-group--error");
    });
    copy.querySelectorAll("input").forEach(function (input) {
      input.value = "";
      input.classList.remove("govuk-input--error");
    });
    copy.querySelectorAll("select").forEach(function (select) {
      select.classList.remove("govuk-select--error");
      select.selectedIndex = 0; // "–" for the day, 1 carer
    });
    return copy;
  }

  addButton.addEventListener("click", function (event) {
    var existing = rows();
    if (existing.length >= maxRows) {
      return; // let the server say why
    }
    event.preventDefault();
    var copy = blankCopyOf(existing[existing.length - 1]);
    container.appendChild(copy);
    renumber();
    say("Visit " + rows().length + " added.");
    copy.querySelector("select").focus();
  });

  container.addEventListener("click", function (event) {
    var button = event.target.closest("button[name='visits-remove']");
    if (!button) {
      return;
    }
    event.preventDefault();
    var row = button.closest(".hc-visit-row");
    var number = rows().indexOf(row) + 1;
    if (rows().length === 1) {
      container.appendChild(blankCopyOf(row));
    }
    row.remove();
    renumber();
    say("Visit " + number + " removed.");
    addButton.focus();
  });
})();
