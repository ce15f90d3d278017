/**
 * The landing page's one admin token field (`#admin-token`), which the create form and "All
 * dashboards" both use: entered once, kept for the tab once the server accepts it, forgotten
 * (and the field marked, with the server's reason) as soon as the server refuses it, whichever
 * request that was. How it is kept: admin-token.ts.
 */
import { forgetAdminToken, storeAdminToken, storedAdminToken } from "./admin-token.ts";

export class AdminTokenField {
  /**
   * `prefill` goes in the field when the tab keeps no token (`dev-admin-token` on a loopback
   * origin, only a hint); `error` is the line under the field that says what is wrong with it.
   */
  constructor(
    private readonly input: HTMLInputElement,
    private readonly error: HTMLElement,
    prefill: string | undefined,
  ) {
    input.value = storedAdminToken() ?? prefill ?? "";
  }

  /** Whether the tab kept a token the server accepted before (so the admin's lists may show at once). */
  get kept(): boolean {
    return storedAdminToken() !== undefined;
  }

  /** The token entered, or undefined after the field says one is needed (and takes the focus). */
  value(): string | undefined {
    const token = this.input.value.trim();
    if (token !== "") return token;
    this.mark("Enter the admin token.");
    return undefined;
  }

  /** The server accepted `token`: kept for the tab, and the field no longer marked. */
  accepted(token: string): void {
    storeAdminToken(token);
    this.mark(undefined);
  }

  /** The server refused the token, saying `message`: forgotten, and the field says so. */
  refused(message: string): void {
    forgetAdminToken();
    this.mark(`The server refused the admin token (${message}); it is no longer kept for this tab.`);
  }

  /** Shows `message` under the field (marked invalid and focused), or clears it. */
  mark(message: string | undefined): void {
    this.error.textContent = message ?? "";
    this.error.hidden = message === undefined;
    if (message === undefined) return this.input.removeAttribute("aria-invalid");
    this.input.setAttribute("aria-invalid", "true");
    this.input.focus();
  }
}
