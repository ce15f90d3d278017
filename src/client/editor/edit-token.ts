/**
 * The token a person typed to save a dashboard's panels, kept per dashboard in sessionStorage:
 * asked once per tab, gone when the tab closes, and never put in a URL (links get shared).
 */

const storageKey = (dashboardId: string) => `pulseboard:edit-token:${dashboardId}`;

/** The token saved for `dashboardId` in this tab, if any. */
export function storedEditToken(dashboardId: string): string | undefined {
  try {
    return sessionStorage.getItem(storageKey(dashboardId)) ?? undefined;
  } catch {
    // Storage can be disabled (privacy settings); the person is simply asked again.
    return undefined;
  }
}

export function storeEditToken(dashboardId: string, token: string): void {
  try {
    sessionStorage.setItem(storageKey(dashboardId), token);
  } catch {
    // See storedEditToken: without storage the token lives only in the input.
  }
}

/** Called when the server refuses the token, so a wrong one is not offered again. */
export function forgetEditToken(dashboardId: string): void {
  try {
    sessionStorage.removeItem(storageKey(dashboardId));
  } catch {
    // See storedEditToken.
  }
}
