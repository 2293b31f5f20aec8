/** The server's DTLS certificate, made at start. */
import { RTCDtlsTransport } from 'werift';

/**
 * werift makes its one certificate (ECDSA P-256, shared by every peer connection of the process)
 * lazily, inside the first createAnswer or createOffer: 20-200 ms (a WebCrypto key, an X.509
 * signature, their code loaded cold) added to the first call's setup. Kurento makes its
 * certificate when it starts; so do we.
 */
export async function prepareDtlsCertificate(): Promise<void> {
  await RTCDtlsTransport.SetupCertificate();
}
