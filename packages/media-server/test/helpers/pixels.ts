/** Reading a screenshot's pixels in a blank Chromium page (its canvas decodes the PNG). */
import type { BrowserContext } from 'playwright-core';

/** How many pixels of `png` are within `tolerance` (per channel) of the colour `rgb`. */
export async function countPixels(context: BrowserContext, png: Buffer, rgb: readonly [number, number, number], tolerance = 24): Promise<number> {
  const page = await context.newPage();
  try {
    return await page.evaluate(async ({ data, rgb, tolerance }) => {
      const image = new Image();
      image.src = `data:image/png;base64,${data}`;
      await image.decode();
      const canvas = document.createElement('canvas');
      canvas.width = image.width;
      canvas.height = image.height;
      const context2d = canvas.getContext('2d');
      if (!context2d) throw new Error('no 2d canvas');
      context2d.drawImage(image, 0, 0);
      const pixels = context2d.getImageData(0, 0, canvas.width, canvas.height).data;
      let count = 0;
      for (let i = 0; i < pixels.length; i += 4) {
        if (Math.abs((pixels[i] ?? 0) - rgb[0]) <= tolerance && Math.abs((pixels[i + 1] ?? 0) - rgb[1]) <= tolerance && Math.abs((pixels[i + 2] ?? 0) - rgb[2]) <= tolerance) count++;
      }
      return count;
    }, { data: png.toString('base64'), rgb, tolerance });
  } finally {
    await page.close();
  }
}
