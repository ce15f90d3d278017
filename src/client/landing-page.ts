/**
 * Entry of the landing page (public/index.html): fills the example commands in with the
 * origin the page was served from, so they can be pasted as they are.
 *
 * Each `[data-command]` block names the command it shows; `[data-origin]` elements get the
 * origin as text; `[data-demo-link]` links point at `npm start`'s demo dashboard and
 * `[data-first-link]` links at the dashboard the commands create (each reads as its full
 * address when the attribute's value is `address`).
 *
 * It also runs the "Create a dashboard" form (`#create-form`, result in `#create-result`) and
 * the "Dashboards you know" list (`#known-list`, `#known-empty`), which the form adds to, and
 * the admin's "All dashboards" (`#directory-*`, `#delete-*`); the form and "All dashboards"
 * take the admin token from one field (`#admin-token`, `#admin-token-error`).
 */
import { fillCommandBlock } from "./landing/command-block.ts";
import { createDashboardCommand, dashboardAddress, sendMetricCommand, tokensFor } from "./landing/curl-commands.ts";
import { AdminTokenField } from "./landing/admin-token-field.ts";
import { DirectoryList } from "./landing/directory-list.ts";
import { forgetDashboard, rememberDashboard } from "./landing/known-dashboards.ts";
import { setUpCreateForm } from "./landing/landing-create-form.ts";
import { showKnownDashboards } from "./landing/landing-known-list.ts";

/** `npm start`'s demo dashboard, fed by its simulator. */
const demoId = "demo";
/**
 * The dashboard the example commands create and feed: one of their own, so that on a server
 * started with `npm start` the first command is not refused (the demo exists) and the second
 * adds no stray series to the demo.
 */
const firstId = "first-steps";
const origin = location.origin;

const commands: Record<string, string> = {
  create: createDashboardCommand(origin, firstId, "First steps"),
  send: sendMetricCommand(origin, firstId),
};

for (const block of document.querySelectorAll<HTMLElement>("[data-command]")) {
  const text = commands[block.dataset.command ?? ""];
  if (text !== undefined) fillCommandBlock(block, text);
}
for (const node of document.querySelectorAll<HTMLElement>("[data-origin]")) node.textContent = origin;
for (const [attribute, id] of [["demo-link", demoId], ["first-link", firstId]] as const) {
  for (const link of document.querySelectorAll<HTMLAnchorElement>(`a[data-${attribute}]`)) {
    link.href = dashboardAddress(origin, id);
    if (link.getAttribute(`data-${attribute}`) === "address") link.textContent = link.href;
  }
}
for (const note of document.querySelectorAll<HTMLElement>("[data-token-note]")) {
  note.hidden = (note.dataset.tokenNote === "local") !== tokensFor(origin).local;
}

function element<T extends HTMLElement>(id: string, type: new () => T): T {
  const found = document.getElementById(id);
  if (!(found instanceof type)) throw new Error(`index.html lacks #${id}`);
  return found;
}

const knownList = element("known-list", HTMLUListElement);
const knownEmpty = element("known-empty", HTMLElement);
showKnownDashboards(knownList, knownEmpty, origin);

// On a loopback origin the server is most likely `npm start`'s, whose .dev.vars it wrote with
// `dev-admin-token` (the page says so beside the field). Only a hint: the server accepts the
// token because its binding says so, never because of the host; elsewhere nothing is prefilled.
const local = tokensFor(origin).local;
const adminToken = new AdminTokenField(element("admin-token", HTMLInputElement), element("admin-token-error", HTMLElement), local ? "dev-admin-token" : undefined);
setUpCreateForm(element("create-form", HTMLFormElement), element("create-result", HTMLElement), origin, adminToken, (created) => {
  rememberDashboard(created.id, created.title, created.viewKey !== undefined, created.viewKey);
  showKnownDashboards(knownList, knownEmpty, origin);
});

new DirectoryList(
  {
    heading: element("directory-title", HTMLElement),
    form: element("directory-form", HTMLFormElement),
    search: element("directory-search", HTMLInputElement),
    status: element("directory-status", HTMLElement),
    tableBox: element("directory-table-box", HTMLElement),
    rows: element("directory-rows", HTMLTableSectionElement),
    more: element("directory-more", HTMLButtonElement),
    dialog: element("delete-dialog", HTMLDialogElement),
    deleteForm: element("delete-form", HTMLFormElement),
    deleteId: element("delete-dialog-id", HTMLElement),
    deleteConfirm: element("delete-confirm", HTMLInputElement),
    deleteError: element("delete-error", HTMLElement),
    deleteCancel: element("delete-cancel", HTMLButtonElement),
  },
  adminToken,
  (id) => {
    // A deleted dashboard is no longer one to know, nor its key one to keep.
    forgetDashboard(id);
    showKnownDashboards(knownList, knownEmpty, origin);
  },
);
