// Differential form: "add a finding/site" buttons. The page works without this script.
"use strict";
document.querySelectorAll("button[data-add]").forEach(function (button) {
  var kind = button.getAttribute("data-add");
  var box = document.querySelector('.fields[data-kind="' + kind + '"]');
  if (!box) { return; }
  button.hidden = false;
  button.addEventListener("click", function () {
    var n = box.querySelectorAll("input").length;
    var id = kind + "-" + n;
    var div = document.createElement("div");
    div.className = "field";
    var label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = box.getAttribute("data-title") + " " + (n + 1);
    var input = document.createElement("input");
    input.id = id; input.name = kind; input.type = "text";
    input.setAttribute("list", kind + "-names");
    input.autocomplete = "off";
    div.appendChild(label); div.appendChild(input);
    box.appendChild(div);
    input.focus();
  });
});
