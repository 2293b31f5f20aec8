import { randomUUID } from 'node:crypto';

/** Kurento's id shape: `<uuid>_kurento.<Type>`, prefixed with `<pipelineId>/` for elements. */
export function newObjectId(type: string, pipelineId?: string): string {
  const own = `${randomUUID()}_kurento.${type}`;
  return pipelineId === undefined ? own : `${pipelineId}/${own}`;
}

/** A random opaque id for sessions and subscriptions. */
export function newOpaqueId(): string {
  return randomUUID();
}
