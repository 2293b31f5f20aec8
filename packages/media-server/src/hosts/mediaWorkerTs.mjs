// The media worker's entry when the server runs from its TypeScript sources (under tsx): Node 20
// does not apply the parent's `--import tsx` to a worker's modules, so tsx is registered here.
import { register } from 'tsx/esm/api';

register();
await import('./mediaWorker.ts');
