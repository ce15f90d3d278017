/**
 * Entry of the landing page (public/index.html): fills the example commands in with the
 * origin the page was served from, so they can be pasted as they are.
 *
 * Each `[data-command]` block names the command it shows; `[data-origin]` elements get the
 * origin as text and `[data-demo-link]` links point at the demo dashboard (and read as its
 * full address when the attribute's value is `address`).
 */
import { fillCommandBlock } from "./command-block.ts";
import { createDashboardCommand, dashboardAddress, sendMetricCommand, tokensFor } from "./curl-commands.ts";

const demoId = "demo";
const origin = location.origin;

const commands: Record<string, string> = {
  create: createDashboardCommand(origin, demoId, "Demo"),
  send: sendMetricCommand(origin, demoId),
};

for (const block of document.querySelectorAll<HTMLElement>("[data-command]")) {
  const text = commands[block.dataset.command ?? ""];
  if (text !== undefined) fillCommandBlock(block, text);
}
for (const node of document.querySelectorAll<HTMLElement>("[data-origin]")) node.textContent = origin;
for (const link of document.querySelectorAll<HTMLAnchorElement>("a[data-demo-link]")) {
  link.href = dashboardAddress(origin, demoId);
  if (link.dataset.demoLink === "address") link.textContent = link.href;
}
for (const note of document.querySelectorAll<HTMLElement>("[data-token-note]")) {
  note.hidden = (note.dataset.tokenNote === "local") !== tokensFor(origin).local;
}
