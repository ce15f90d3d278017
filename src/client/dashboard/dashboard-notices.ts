/**
 * What the dashboard page shows in place of charts: the dashboard does not exist, it has no
 * series yet, it is private and the link lacks (or has a wrong) view key, or it could not be
 * loaded. Each carries the command that gets the reader on.
 */
import { commandBlock } from "../landing/command-block.ts";
import { createDashboardCommand, sendMetricCommand, tokensFor } from "../landing/curl-commands.ts";

/** A paragraph, a quieter note, or a ready-made element. */
type Part = string | { note: string } | Node;

function notice(testid: string, heading: string, ...body: Part[]): HTMLElement {
  const section = document.createElement("section");
  section.className = "notice";
  section.dataset.testid = testid;
  const h = document.createElement("h2");
  h.textContent = heading;
  section.append(h);
  for (const part of body) {
    if (part instanceof Node) {
      section.append(part);
    } else {
      const p = document.createElement("p");
      if (typeof part === "string") {
        p.textContent = part;
      } else {
        p.className = "note";
        p.textContent = part.note;
      }
      section.append(p);
    }
  }
  return section;
}

function tokenNote(origin: string): Part {
  return {
    note: tokensFor(origin).local
      ? "dev-admin-token is the admin token npm start writes to .dev.vars; if you set your own ADMIN_TOKEN there, use it instead."
      : "Set ADMIN_TOKEN to this deployment's admin token first.",
  };
}

/** A link back to the landing page, where dashboards are listed and created. */
function landingLink(): HTMLElement {
  const p = document.createElement("p");
  const link = document.createElement("a");
  link.href = "/";
  link.dataset.testid = "landing-link";
  link.textContent = "Go to the Pulseboard start page";
  p.append(link, " to open a dashboard you know or create one.");
  return p;
}

/** The dashboard `id` does not exist; `valid` says whether it could be created. */
export function notFoundNotice(origin: string, id: string, valid: boolean): HTMLElement {
  const heading = `No dashboard named ${id}`;
  if (!valid) {
    return notice(
      "not-found",
      heading,
      "Dashboard ids are 1 to 64 characters of a-z, 0-9, - and _, starting with a letter or digit.",
      landingLink(),
    );
  }
  return notice(
    "not-found",
    heading,
    "The server is up, but it has no dashboard by this name. Check the link, or create it with this command and reload the page:",
    commandBlock(createDashboardCommand(origin, id, id)),
    tokenNote(origin),
    landingLink(),
  );
}

/** The dashboard exists but has no series; shows how to send the first point. */
export function emptyNotice(origin: string, id: string): HTMLElement {
  const tokens = tokensFor(origin);
  return notice(
    "empty",
    "No metrics yet",
    "Send a first point and it appears here at once:",
    commandBlock(sendMetricCommand(origin, id)),
    {
      note: tokens.local
        ? "dev-admin-token is the admin token npm start writes to .dev.vars; a sensor should use the ingestToken returned when the dashboard was created."
        : "Set INGEST_TOKEN to the ingestToken returned when the dashboard was created.",
    },
  );
}

/** Loading the dashboard failed for a reason other than "not found". */
export function failedNotice(message: string): HTMLElement {
  const retry = document.createElement("button");
  retry.type = "button";
  retry.textContent = "Try again";
  retry.addEventListener("click", () => location.reload());
  return notice("failed", "The dashboard could not be loaded", message, retry);
}

/**
 * A form to type or paste a view key; `onKey` gets what was entered (trimmed, never empty).
 * The page then looks the dashboard up again with it.
 */
function viewKeyForm(onKey: (key: string) => void): HTMLElement {
  const form = document.createElement("form");
  form.className = "view-key-form";
  form.dataset.testid = "view-key-form";
  const label = document.createElement("label");
  label.htmlFor = "view-key";
  label.textContent = "View key";
  const input = document.createElement("input");
  input.id = "view-key";
  input.name = "key";
  input.type = "password";
  input.autocomplete = "off";
  input.spellcheck = false;
  input.required = true;
  input.placeholder = "pbv_…";
  const open = document.createElement("button");
  open.type = "submit";
  open.textContent = "Open";
  form.append(label, input, open);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const key = input.value.trim();
    if (key !== "") onKey(key);
  });
  return form;
}

/** The dashboard is private and the page was opened without its view key. */
export function privateNotice(onKey: (key: string) => void): HTMLElement {
  return notice(
    "private",
    "Private dashboard: a view key is needed",
    "This dashboard is private: only readers with its view key may see it. Enter the key, or open the link that carries it (it ends in #key=…): it was returned when the dashboard was created; ask whoever created it to share it with you.",
    viewKeyForm(onKey),
    { note: "The key stays in this tab and in the part of a link after #, which browsers never send to a server." },
  );
}

/** The dashboard is private and the view key in the link (or remembered by this tab) is wrong. */
export function wrongKeyNotice(onKey: (key: string) => void): HTMLElement {
  return notice(
    "wrong-key",
    "Private dashboard: this view key is wrong",
    "The dashboard is private and did not accept the key. Check that the whole link was copied, including everything after #key=, ask for a fresh one, or enter the key here.",
    viewKeyForm(onKey),
  );
}
