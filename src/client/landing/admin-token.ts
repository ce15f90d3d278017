/**
 * The admin token a person typed on the landing page, kept in sessionStorage: asked once per
 * tab, gone when the tab closes, never in localStorage (which outlives the tab) nor in a URL
 * (links get shared and logged). Forgotten as soon as the server refuses it.
 */

const storageKey = "pulseboard:admin-token";

/** The admin token kept for this tab, if any. */
export function storedAdminToken(): string | undefined {
  try {
    return sessionStorage.getItem(storageKey) ?? undefined;
  } catch {
    // Storage can be disabled (privacy settings); the person is simply asked again.
    return undefined;
  }
}

export function storeAdminToken(token: string): void {
  try {
    sessionStorage.setItem(storageKey, token);
  } catch {
    // See storedAdminToken: without storage the token lives only in the field.
  }
}

/** Called when the server refuses the token, so a wrong one is not offered again. */
export function forgetAdminToken(): void {
  try {
    sessionStorage.removeItem(storageKey);
  } catch {
    // See storedAdminToken.
  }
}
