/**
 * The landing page's "Create a dashboard" form: checks what it can before sending (the same
 * id rule as the server), calls `POST /api/dashboards`, and then shows the new dashboard's
 * secrets once, its link and the commands that feed it. A refusal shows the server's message
 * on the field it names (`field` in the error body), or on the page's one admin token field
 * (admin-token-field.ts) for 401/403.
 *
 * With a definition file chosen, the dashboard is made from it (`{"definition": …}`, the
 * form's id, title and Private beside it taking precedence); a refusal of a field inside the
 * definition (`definition.panels.2.type`) shows at the file field, naming the field.
 */
import { DASHBOARD_ID_RULE, isDashboardId, TOKEN_ERROR_CODES, type CreatedDashboard, type ErrorBody } from "../../common/http-contract.ts";
import { limits } from "../../common/limits.ts";
import { commandBlock } from "./command-block.ts";
import { curlJsonCommand, curlLineProtocolCommand, telegrafOutput } from "./landing-feed-commands.ts";
import type { AdminTokenField } from "./admin-token-field.ts";

/** The fields a refusal can point at; the names match the API's `field` values. */
type FieldName = "id" | "title" | "private" | "definition";

const maxTitleLength = limits.maxTitleLength;

/** A refusal to show: `field` is highlighted (`token`: the page's admin token field), or the message goes under the form when absent. */
interface Refusal {
  message: string;
  field?: FieldName | "token";
}

function input(form: HTMLFormElement, name: FieldName): HTMLInputElement {
  const element = form.elements.namedItem(name);
  if (!(element instanceof HTMLInputElement)) throw new Error(`index.html lacks input "${name}"`);
  return element;
}

function errorSlot(form: HTMLFormElement, name: FieldName): HTMLElement | null {
  return form.querySelector<HTMLElement>(`[data-error-for="${name}"]`);
}

/** Checks the form as the server would; the first problem found, if any. */
function checkInput(form: HTMLFormElement): Refusal | undefined {
  const id = input(form, "id").value.trim();
  if (id !== "" && !isDashboardId(id)) {
    return { field: "id", message: `Ids are ${DASHBOARD_ID_RULE}.` };
  }
  if (input(form, "title").value.trim().length > maxTitleLength) {
    return { field: "title", message: `Titles are at most ${maxTitleLength} characters.` };
  }
  return undefined;
}

/** Reads an error body `{ error: { code, message, field? } }` into a refusal. */
async function refusalOf(response: Response): Promise<Refusal> {
  const body = (await response.json().catch(() => undefined)) as Partial<ErrorBody> | undefined;
  const error = body?.error;
  const message = typeof error?.message === "string" ? error.message : `The server answered HTTP ${response.status}.`;
  if (typeof error?.code === "string" && TOKEN_ERROR_CODES.has(error.code)) return { message, field: "token" };
  const field = typeof error?.field === "string" ? error.field : undefined;
  if (field === "definition") return { message: `The file is not a definition: ${message}`, field };
  if (field?.startsWith("definition.")) return { message: `In the file, ${field.slice("definition.".length)}: ${message}`, field: "definition" };
  return field === "id" || field === "title" || field === "private" ? { message, field } : { message };
}

function clearRefusals(form: HTMLFormElement, formError: HTMLElement): void {
  for (const name of ["id", "title", "private", "definition"] as const) {
    input(form, name).removeAttribute("aria-invalid");
    const slot = errorSlot(form, name);
    if (slot) {
      slot.textContent = "";
      slot.hidden = true;
    }
  }
  formError.textContent = "";
  formError.hidden = true;
}

/** Shows `refusal` next to its field (marked invalid and focused) or under the form. */
function showRefusal(form: HTMLFormElement, formError: HTMLElement, refusal: Refusal, adminToken: AdminTokenField): void {
  if (refusal.field === "token") return adminToken.refused(refusal.message);
  const slot = refusal.field && errorSlot(form, refusal.field);
  if (refusal.field && slot) {
    const field = input(form, refusal.field);
    slot.textContent = refusal.message;
    slot.hidden = false;
    field.setAttribute("aria-invalid", "true");
    field.focus();
  } else {
    formError.textContent = refusal.message;
    formError.hidden = false;
  }
}

function element<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, className?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

/** A labelled copyable block, tagged for tests and styling with `data-<kind>="<name>"`. */
function labelledBlock(label: string, text: string, kind: "secret" | "feed", name: string): HTMLElement[] {
  const block = commandBlock(text);
  block.dataset[kind] = name;
  return [element("h4", label), block];
}

/** Fills `result` with what the reader needs from `created`, now, since the secrets never come back. */
function showCreated(result: HTMLElement, created: CreatedDashboard, origin: string): void {
  const heading = element("h3", `Dashboard "${created.title}" created`);
  heading.id = "create-result-title";
  heading.tabIndex = -1;

  const secrets = created.viewKey === undefined ? "ingest token" : "ingest token and view key";
  const warning = element("p", "", "warning");
  warning.append(
    element("strong", "Copy them now: "),
    `the ${secrets} ${created.viewKey === undefined ? "is" : "are"} shown only once. ` +
      "The server keeps only a hash, so nobody can show them again.",
  );

  const link = element("a", created.urls.dashboard);
  link.href = created.urls.dashboard;
  link.dataset.testid = "dashboard-link";
  const open = element("p");
  open.append("Open it at ", link);

  const parts: Node[] = [heading, warning, ...labelledBlock("Ingest token", created.ingestToken, "secret", "ingest-token")];
  if (created.viewKey !== undefined) {
    parts.push(...labelledBlock("View key", created.viewKey, "secret", "view-key"));
    parts.push(
      element(
        "p",
        "The view key reads this private dashboard: send it as the X-Pulseboard-View-Key header. " +
          "The link below carries it after #, which browsers never send to a server.",
        "note",
      ),
    );
  }
  parts.push(
    open,
    element("h4", "Feed it"),
    element("p", "Each of these sends a point with the new token; keep the dashboard open to watch it arrive.", "note"),
    ...labelledBlock("curl, JSON", curlJsonCommand(origin, created.id, created.ingestToken), "feed", "json"),
    ...labelledBlock("curl, InfluxDB line protocol", curlLineProtocolCommand(origin, created.id, created.ingestToken), "feed", "line-protocol"),
    ...labelledBlock("Telegraf (telegraf.conf)", telegrafOutput(origin, created.id, created.ingestToken), "feed", "telegraf"),
  );
  result.replaceChildren(...parts);
  result.hidden = false;
  heading.focus();
}

/** The JSON of a definition file, or why it cannot be sent. */
async function readDefinition(file: File): Promise<{ definition: unknown } | { refusal: Refusal }> {
  // Over the API's body limit it would be refused whole; saying so here spares the upload.
  if (file.size > limits.maxSettingsBodyBytes) {
    return { refusal: { field: "definition", message: `${file.name} is larger than a definition can be (${limits.maxSettingsBodyBytes / 1024} KiB).` } };
  }
  try {
    return { definition: JSON.parse(await file.text()) as unknown };
  } catch (error) {
    return { refusal: { field: "definition", message: `${file.name} is not JSON: ${error instanceof Error ? error.message : String(error)}` } };
  }
}

/** Shows the "Create without the file" button while a file is chosen; it empties the file field. */
function wireDefinitionClear(form: HTMLFormElement): void {
  const file = input(form, "definition");
  const clear = form.querySelector<HTMLButtonElement>("#create-definition-clear");
  if (!clear) return;
  const update = () => (clear.hidden = !file.files?.length);
  file.addEventListener("change", update);
  clear.addEventListener("click", () => {
    file.value = "";
    update();
    file.focus();
  });
  update();
}

/**
 * Wires `form` (inputs named id, title, private, definition; `[data-error-for]` slots; a
 * `[data-form-error]` line) to create dashboards, with the token of `adminToken`, and show
 * them in `result`. `onCreated` runs after each success (the page remembers the dashboard).
 */
export function setUpCreateForm(
  form: HTMLFormElement,
  result: HTMLElement,
  origin: string,
  adminToken: AdminTokenField,
  onCreated: (created: CreatedDashboard) => void,
): void {
  const formError = form.querySelector<HTMLElement>("[data-form-error]");
  const submit = form.querySelector<HTMLButtonElement>('button[type="submit"]');
  if (!formError || !submit) throw new Error("index.html's create form lacks [data-form-error] or its submit button");
  wireDefinitionClear(form);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearRefusals(form, formError);
    const token = adminToken.value();
    if (token === undefined) return;
    const problem = checkInput(form);
    if (problem) return showRefusal(form, formError, problem, adminToken);

    const id = input(form, "id").value.trim();
    const title = input(form, "title").value.trim();
    const file = input(form, "definition").files?.[0];
    let definition: { definition?: unknown } = {};
    if (file) {
      const read = await readDefinition(file);
      if ("refusal" in read) return showRefusal(form, formError, read.refusal, adminToken);
      definition = { definition: read.definition };
    }
    const body = { ...definition, ...(id && { id }), ...(title && { title }), ...(input(form, "private").checked && { private: true }) };
    submit.disabled = true;
    form.setAttribute("aria-busy", "true");
    try {
      const response = await fetch("/api/dashboards", {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      if (response.status !== 201) return showRefusal(form, formError, await refusalOf(response), adminToken);
      adminToken.accepted(token);
      const created = (await response.json()) as CreatedDashboard;
      onCreated(created);
      showCreated(result, created, origin);
    } catch (error) {
      showRefusal(form, formError, { message: `Could not reach the server: ${error instanceof Error ? error.message : String(error)}` }, adminToken);
    } finally {
      submit.disabled = false;
      form.removeAttribute("aria-busy");
    }
  });
}
