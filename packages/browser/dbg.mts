import { launchChromium } from '/work/main/packages/browser/test/helpers/chromium.js';
const b = await launchChromium();
const p = await b.context.newPage();
await p.goto('about:blank');
console.log(await p.evaluate(async () => {
  const log: string[] = [];
  const pc = new RTCPeerConnection();
  pc.addTransceiver('video', { direction: 'recvonly' });
  pc.addEventListener('icecandidate', (e) => log.push(e.candidate ? 'cand:' + JSON.stringify(e.candidate.candidate) : 'null'));
  pc.addEventListener('icegatheringstatechange', () => log.push('state:' + pc.iceGatheringState));
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise((r) => setTimeout(r, 1500));
  return log;
}));
await b.close();
