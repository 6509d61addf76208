import {
  contains,
  dimensions,
  gifWithComment,
  image,
  jpegWithOrientation,
  pngWithText,
} from "@flock/testing/images";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkImage } from "./images";

const codeOf = (run: () => unknown) => {
  try {
    run();
    return "ok";
  } catch (error) {
    return (error as { code?: string }).code ?? `threw ${String(error)}`;
  }
};

describe("checkImage", () => {
  it("removes EXIF, GPS and the artist from a JPEG and keeps its size and JFIF header", () => {
    const jpeg = image("jpeg");
    expect(contains(jpeg, "Ada Lovelace")).toBe(true);
    expect(contains(jpeg, "Exif")).toBe(true);
    const checked = checkImage(jpeg, "image/jpeg");
    expect(checked).toMatchObject({ contentType: "image/jpeg", ...dimensions.jpeg });
    expect(contains(checked.bytes, "Ada Lovelace")).toBe(false);
    expect(contains(checked.bytes, "Exif")).toBe(false);
    expect(contains(checked.bytes, "kitchen at home")).toBe(false);
    expect(checked.bytes.length).toBeLessThan(jpeg.length);
    // Still a JPEG from start to end, and stripping again changes nothing.
    expect([...checked.bytes.subarray(0, 2)]).toEqual([0xff, 0xd8]);
    expect([...checked.bytes.subarray(-2)]).toEqual([0xff, 0xd9]);
    expect(checkImage(checked.bytes, "image/jpeg").bytes).toEqual(checked.bytes);
  });

  it("keeps of a sideways photo's EXIF only its orientation, and gives its size as it shows", () => {
    const sideways = jpegWithOrientation(6);
    const checked = checkImage(sideways, "image/jpeg");
    // Turned a quarter: shown 8 wide and 16 high.
    expect(checked).toMatchObject({ width: dimensions.jpeg.height, height: dimensions.jpeg.width });
    expect(contains(checked.bytes, "Ada Lovelace")).toBe(false);
    expect(contains(checked.bytes, "kitchen at home")).toBe(false);
    // One APP1 right after SOI, holding "Exif", a big-endian TIFF and the one orientation entry.
    expect([...checked.bytes.subarray(2, 6)]).toEqual([0xff, 0xe1, 0x00, 0x22]);
    expect(contains(checked.bytes, "Exif")).toBe(true);
    expect([...checked.bytes.subarray(22, 32)]).toEqual([1, 0x12, 0, 3, 0, 0, 0, 1, 0, 6]);
    expect(checked.bytes.length).toBeLessThan(sideways.length);
    expect(checkImage(checked.bytes, "image/jpeg").bytes).toEqual(checked.bytes);
    // Upright photos keep no EXIF at all.
    expect(contains(checkImage(jpegWithOrientation(1), "image/jpeg").bytes, "Exif")).toBe(false);
  });

  it("removes the EXIF chunk of a WebP and its flag in VP8X, and rewrites the RIFF size", () => {
    const webp = image("webp");
    expect(contains(webp, "EXIF")).toBe(true);
    const { bytes, ...rest } = checkImage(webp, "image/webp");
    expect(rest).toEqual({ contentType: "image/webp", ...dimensions.webp });
    expect(contains(bytes, "EXIF")).toBe(false);
    expect(contains(bytes, "Ada Lovelace")).toBe(false);
    expect(new DataView(bytes.buffer).getUint32(4, true)).toBe(bytes.length - 8);
    expect((bytes[20] ?? 0) & 0x0c).toBe(0);
  });

  it("removes text and time chunks from a PNG", () => {
    const png = pngWithText("Author", "Ada Lovelace");
    const { bytes, ...rest } = checkImage(png, "image/png");
    expect(rest).toEqual({ contentType: "image/png", ...dimensions.png });
    expect(contains(bytes, "tEXt")).toBe(false);
    expect(contains(bytes, "tIME")).toBe(false);
    expect(bytes).toEqual(image("png"));
  });

  it("removes comments and XMP from a GIF", () => {
    const gif = gifWithComment("Ada Lovelace");
    const { bytes, ...rest } = checkImage(gif, "image/gif");
    expect(rest).toEqual({ contentType: "image/gif", ...dimensions.gif });
    expect(contains(bytes, "Ada Lovelace")).toBe(false);
    expect(bytes).toEqual(image("gif"));
  });

  it("takes the type from the bytes: another declared type or anything else is unsupported", () => {
    expect(codeOf(() => checkImage(image("png"), "image/jpeg"))).toBe("unsupported_media_type");
    expect(codeOf(() => checkImage(image("png"), ""))).toBe("unsupported_media_type");
    expect(codeOf(() => checkImage(new TextEncoder().encode("<svg/>"), "image/svg+xml"))).toBe(
      "unsupported_media_type",
    );
    expect(codeOf(() => checkImage(new Uint8Array(), "image/png"))).toBe("unsupported_media_type");
    expect(codeOf(() => checkImage(image("png"), "image/PNG; charset=x"))).toBe("ok");
  });

  it("refuses a truncated image of every type as invalid", () => {
    for (const name of ["jpeg", "png", "webp", "gif"] as const) {
      const bytes = image(name);
      const cut = bytes.subarray(0, bytes.length - 3);
      expect(
        codeOf(() => checkImage(cut, `image/${name}`)),
        name,
      ).toBe("validation");
    }
  });

  it("answers any mutation of a real image with an image or a client error, never a crash", () => {
    const names = ["jpeg", "png", "webp", "gif"] as const;
    fc.assert(
      fc.property(
        fc.constantFrom(...names),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
        fc.nat(),
        (name, edits, cut) => {
          const bytes = image(name);
          for (const [at, value] of edits) bytes[at % bytes.length] = value;
          const mutated = bytes.subarray(0, bytes.length - (cut % 16));
          expect(["ok", "validation", "unsupported_media_type"]).toContain(
            codeOf(() => checkImage(mutated, `image/${name}`)),
          );
        },
      ),
      { numRuns: 2000, seed: 20261202 },
    );
  });
});
