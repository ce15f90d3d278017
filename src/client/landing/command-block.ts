/**
 * A shell command shown for copying: a `<pre>` with a Copy button. The button is left out
 * where the Clipboard API is unavailable (it requires a secure context: https or localhost).
 */

/** Puts `text` into a `.command` block (creating the `<pre>` if missing) and adds the button. */
export function fillCommandBlock(block: HTMLElement, text: string): void {
  let code = block.querySelector("code");
  if (!code) {
    const pre = document.createElement("pre");
    code = document.createElement("code");
    pre.append(code);
    block.append(pre);
  }
  code.textContent = text;
  if (!navigator.clipboard || block.querySelector("button.copy")) return;
  const button = document.createElement("button");
  button.type = "button";
  button.className = "copy";
  button.textContent = "Copy";
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(code.textContent ?? "");
      button.textContent = "Copied";
    } catch {
      button.textContent = "Select and copy";
    }
    setTimeout(() => (button.textContent = "Copy"), 2000);
  });
  block.append(button);
}

/** Creates a new command block showing `text`. */
export function commandBlock(text: string): HTMLElement {
  const block = document.createElement("div");
  block.className = "command";
  fillCommandBlock(block, text);
  return block;
}
