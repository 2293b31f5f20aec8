/** Finding the page's elements by id, typed, failing loudly when the page lacks one; the error box. */
import { errorMessage } from '../src/messages.js';

/** The element `#id`, which must be a `type` (HTMLVideoElement, HTMLButtonElement...). */
export function byId<T extends HTMLElement>(id: string, type: abstract new () => T): T {
  const element = document.getElementById(id);
  if (!(element instanceof type)) throw new Error(`the page lacks #${id}`);
  return element;
}

/** Shows `message` in an error box (a `role="alert"` element, hidden while there is nothing to say). */
export function showError(box: HTMLElement, message: string): void {
  box.textContent = message;
  box.hidden = false;
}

/** Hides the error box. */
export function hideError(box: HTMLElement): void {
  box.hidden = true;
  box.textContent = '';
}

/** An error as a sentence for the page (getUserMedia refusals named as such). */
export function describeError(e: unknown): string {
  if (e instanceof DOMException && e.name === 'NotAllowedError') return 'The camera was not allowed: allow it for this page and try again.';
  return errorMessage(e);
}
