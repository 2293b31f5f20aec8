// A user's plain JavaScript against an installed @kurento-ts/client and a running server:
// node offer.mjs ws://127.0.0.1:8888/kurento  prints what it saw as one JSON line.
import { KurentoClient } from '@kurento-ts/client';
import { nativeStatus } from '@kurento-ts/native';

const kurento = await KurentoClient.connect(process.argv[2]);
const manager = await kurento.getServerManager();
const pipeline = await kurento.createMediaPipeline();
const endpoint = await pipeline.create('WebRtcEndpoint');
const offer = await endpoint.generateOffer();
const pipelinesWhileRunning = (await manager.getPipelines()).length;
await pipeline.release();
const pipelinesAfterRelease = (await manager.getPipelines()).length;
await kurento.close();
console.log(JSON.stringify({
  offerVersion: offer.split('\r\n')[0],
  media: offer.split('\r\n').filter((line) => line.startsWith('m=')).map((line) => line.split(' ')[0]),
  pipelinesWhileRunning,
  pipelinesAfterRelease,
  native: nativeStatus().native,
}));
