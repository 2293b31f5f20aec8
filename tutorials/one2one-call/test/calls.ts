/** What a user does on the one-to-one call page, in either browser: register, and call someone. */
import assert from 'node:assert/strict';
import { MEDIA_WAIT_MS, type Participant } from '@kurento-ts/tutorial-kit/testing';

/** Registers `p` under its name and waits until the page says so. */
export async function register(p: Participant): Promise<Participant> {
  await p.page.fill('#name', p.name);
  await p.page.click('#register');
  await p.page.waitForSelector('body[data-register="registered"]', { timeout: 10_000 });
  return p;
}

/** `from` calls `to`: `to` is shown the incoming call, with the caller's name. */
export async function ring(from: Participant, to: Participant): Promise<void> {
  await from.page.fill('#peer', to.name);
  await from.page.click('#call');
  await to.page.waitForSelector('#accept', { state: 'visible', timeout: MEDIA_WAIT_MS });
  assert.equal(await to.page.textContent('#incoming-text'), `${from.name} is calling you.`);
}
