// A user's TypeScript against the installed declarations of @kurento-ts/client and protocol
// (checked with skipLibCheck off: every declaration file they ship must compile).
import { KurentoClient, KurentoClientError, type WebRtcEndpoint } from '@kurento-ts/client';
import { remoteClasses } from '@kurento-ts/protocol';

export async function offer(url: string): Promise<string> {
  const kurento = await KurentoClient.connect(url);
  const pipeline = await kurento.createMediaPipeline();
  const endpoint: WebRtcEndpoint = await pipeline.create('WebRtcEndpoint');
  await endpoint.on('IceCandidateFound', (event) => console.log(event.candidate.candidate));
  const sdp = await endpoint.generateOffer();
  // @ts-expect-error: an SDP is a string (fails if the declarations were missing and typed any)
  const notANumber: number = sdp;
  await pipeline.release();
  await kurento.close();
  return `${sdp}${notANumber}`;
}

export const isKurentoError = (e: unknown): boolean => e instanceof KurentoClientError;
export const classCount: number = Object.keys(remoteClasses).length;
// @ts-expect-error: no such remote class
export const wrong = (kurento: KurentoClient) => kurento.create('NoSuchEndpoint');
