// webstack sample page: asks the origin application for a greeting and shows it.
// Loaded as an external, content-hashed file: the site's CSP (script-src 'self')
// admits no inline script.
"use strict";

function show(fields) {
  const list = document.getElementById("greeting");
  list.replaceChildren();
  for (const [name, value] of fields) {
    const term = document.createElement("dt");
    term.textContent = name;
    const detail = document.createElement("dd");
    detail.textContent = value === null || value === undefined ? "(unknown)" : String(value);
    list.append(term, detail);
  }
}

async function greet() {
  const status = document.getElementById("status");
  status.textContent = "Asking the origin...";
  try {
    const response = await fetch("/api/hello", { headers: { Accept: "application/json" } });
    if (!response.ok) {
      throw new Error(`the origin answered ${response.status}`);
    }
    const body = await response.json();
    show([
      ["Message", body.message],
      ["Instance", body.instance_id],
      ["App version", body.version],
      ["Build", body.build],
      ["Served at", body.time],
    ]);
    status.textContent = "Answered by the origin application.";
    status.className = "ok";
  } catch (error) {
    status.textContent = `No answer from /api/hello: ${error.message}`;
    status.className = "error";
  }
}

document.addEventListener("DOMContentLoaded", () => {
  document.getElementById("again").addEventListener("click", greet);
  greet();
});
