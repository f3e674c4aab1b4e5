// Uploads with a progress bar: ask the app for a target, send the bytes straight there
// (an S3 presigned POST, or a signed PUT of the app), then ask the app to check them.
// Without JavaScript the same form posts the file to the app, which does all three.
"use strict";

function sendBytes(ticket, file, csrf, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(ticket.method, ticket.url);
    xhr.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) onProgress(Math.round((event.loaded / event.total) * 100));
    });
    xhr.addEventListener("load", () => {
      if (xhr.status >= 200 && xhr.status < 300) return resolve();
      let message = "The upload was refused.";
      try { message = JSON.parse(xhr.responseText).error || message; } catch (ignored) { /* S3 XML */ }
      reject(new Error(message));
    });
    xhr.addEventListener("error", () => reject(new Error("The file storage could not be reached.")));
    if (ticket.method === "PUT") {
      xhr.setRequestHeader("X-CSRFToken", csrf);
      xhr.send(file);
    } else {
      const data = new FormData();
      for (const [name, value] of Object.entries(ticket.fields)) data.append(name, value);
      data.append("file", file);
      xhr.send(data);
    }
  });
}

async function postJson(url, body, csrf) {
  const response = await fetch(url, {
    method: "POST", body, credentials: "same-origin", headers: { "X-CSRFToken": csrf },
  });
  const data = await response.json();
  if (!response.ok) throw new Error(data.error || "The upload failed.");
  return data;
}

// "Use as cover", "Use as pitch video", "Remove": the same small forms the page has per file.
function postButton(url, label, csrf) {
  const form = document.createElement("form");
  form.method = "post";
  form.action = url;
  form.className = "inline";
  const token = document.createElement("input");
  token.type = "hidden";
  token.name = "csrf_token";
  token.value = csrf;
  const button = document.createElement("button");
  button.type = "submit";
  button.className = "link";
  button.textContent = label;
  form.append(token, button);
  return form;
}

function wire(form) {
  form.addEventListener("submit", async (event) => {
    const input = form.querySelector("input[type=file]");
    if (!input.files.length) return;
    event.preventDefault();
    const file = input.files[0];
    const csrf = form.querySelector("input[name=csrf_token]").value;
    const bar = form.querySelector("progress");
    const status = form.querySelector("[data-upload-status]");
    const button = form.querySelector("button[type=submit]");
    const say = (text, bad) => {
      status.textContent = text;
      status.className = bad ? "field-error" : "muted";
    };
    bar.hidden = false;
    bar.value = 0;
    button.disabled = true;
    try {
      const start = new FormData();
      start.append("filename", file.name);
      start.append("size", String(file.size));
      const ticket = await postJson(form.dataset.uploadStart, start, csrf);
      say("Uploading…");
      await sendBytes(ticket, file, csrf, (percent) => { bar.value = percent; });
      say("Checking the file…");
      const done = await postJson(ticket.complete, null, csrf);
      bar.value = 100;
      say(`${done.filename} is added.`);
      const list = document.getElementById("file-list");
      if (list) {
        const item = document.createElement("li");
        const link = document.createElement("a");
        link.href = done.download;
        link.textContent = done.filename;
        item.append(link, ` (${done.size_label}) `);
        for (const role of done.roles || []) item.appendChild(postButton(role.url, role.label, csrf));
        item.appendChild(postButton(done.remove, "Remove", csrf));
        list.appendChild(item);
        document.getElementById("no-files")?.remove();
      }
      input.value = "";
    } catch (error) {
      say(error.message, true);
    } finally {
      button.disabled = false;
    }
  });
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("form[data-upload-start]").forEach(wire);
});
