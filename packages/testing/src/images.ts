// Small real images for tests, made once with sharp (libvips) and kept here as base64: a 16×8 JPEG
// and a 10×6 WebP that carry EXIF with an artist, a copyright, a description and a GPS position, a
// 12×10 PNG and a 4×3 GIF. The helpers add the metadata chunks sharp does not write.

const BASE64 = {
  jpeg:
    "/9j/4QF6RXhpZgAASUkqAAgAAAAKAA4BAgAQAAAAlgAAABIBAwABAAAAAQAAABoBBQABAAAAhgAAABsBBQABAAAAjg" +
    "AAACgBAwABAAAAAgAAADsBAgANAAAAsAAAABMCAwABAAAAAQAAAJiCAgAJAAAApgAAAGmHBAABAAAAvgAAACWIBAAB" +
    "AAAADAEAAAAAAAA4YwAA6AMAADhjAADoAwAAa2l0Y2hlbiBhdCBob21lAEFkYSAyMDI2AABBZGEgTG92ZWxhY2UAAA" +
    "YAAJAHAAQAAAAwMjEwAZEHAAQAAAABAgMAAKAHAAQAAAAwMTAwAaADAAEAAAD//wAAAqAEAAEAAAAQAAAAA6AEAAEA" +
    "AAAIAAAAAAAAAAQAAQACAAIAAABOAAAAAgAFAAMAAABaAQAAAwACAAIAAABXAAAABAAFAAMAAABCAQAAAAAAAAAAAA" +
    "ABAAAABwAAAAEAAAAAAAAAAQAAADMAAAABAAAAHgAAAAEAAAAAAAAAAQAAAP/bAEMABgQFBgUEBgYFBgcHBggKEAoK" +
    "CQkKFA4PDBAXFBgYFxQWFhodJR8aGyMcFhYgLCAjJicpKikZHy0wLSgwJSgpKP/bAEMBBwcHCggKEwoKEygaFhooKC" +
    "goKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKP/AABEIAAgAEAMBIgACEQEDEQH/" +
    "xAAVAAEBAAAAAAAAAAAAAAAAAAAABf/EABQQAQAAAAAAAAAAAAAAAAAAAAD/xAAVAQEBAAAAAAAAAAAAAAAAAAAGB/" +
    "/EABQRAQAAAAAAAAAAAAAAAAAAAAD/2gAMAwEAAhEDEQA/AJAAipD/2Q==",
  webp:
    "UklGRswBAABXRUJQVlA4WAoAAAAIAAAACQAABQAAVlA4IC4AAADQAQCdASoKAAYAAUAmJaACdLoB+AADsAD+6Di/+Y" +
    "JX5Bu1D/7B384D84D+igAARVhJRngBAABFeGlmAABJSSoACAAAAAoADgECABAAAACWAAAAEgEDAAEAAAABAAAAGgEF" +
    "AAEAAACGAAAAGwEFAAEAAACOAAAAKAEDAAEAAAACAAAAOwECAA0AAACwAAAAEwIDAAEAAAABAAAAmIICAAkAAACmAA" +
    "AAaYcEAAEAAAC+AAAAJYgEAAEAAAAMAQAAAAAAADhjAADoAwAAOGMAAOgDAABraXRjaGVuIGF0IGhvbWUAQWRhIDIw" +
    "MjYAAEFkYSBMb3ZlbGFjZQAABgAAkAcABAAAADAyMTABkQcABAAAAAECAwAAoAcABAAAADAxMDABoAMAAQAAAP//AA" +
    "ACoAQAAQAAAAoAAAADoAQAAQAAAAYAAAAAAAAABAABAAIAAgAAAE4AAAACAAUAAwAAAFoBAAADAAIAAgAAAFcAAAAE" +
    "AAUAAwAAAEIBAAAAAAAAAAAAAAEAAAAHAAAAAQAAAAAAAAABAAAAMwAAAAEAAAAeAAAAAQAAAAAAAAABAAAA",
  png:
    "iVBORw0KGgoAAAANSUhEUgAAAAwAAAAKCAIAAAAPTiitAAAACXBIWXMAAAPoAAAD6AG1e1JrAAAAFUlEQVQYlWM4Ea" +
    "BBEDGMKmKgWhAAALjGlgHNPKBAAAAAAElFTkSuQmCC",
  gif: "R0lGODlhBAADAIAAAExpcchQKCH5BAUAAAAALAAAAAAEAAMAAAIDjI9WADs=",
} as const;

export type Fixture = keyof typeof BASE64;

/** A fixture's bytes (a fresh copy each time, so a test may mutate it). */
export function image(name: Fixture): Uint8Array {
  return Uint8Array.from(atob(BASE64[name]), (char) => char.charCodeAt(0));
}

/** The fixtures' sizes, as their headers say. */
export const dimensions: Record<Fixture, { width: number; height: number }> = {
  jpeg: { width: 16, height: 8 },
  webp: { width: 10, height: 6 },
  png: { width: 12, height: 10 },
  gif: { width: 4, height: 3 },
};

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = (CRC_TABLE[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

const latin1 = (text: string) => Uint8Array.from(text, (char) => char.charCodeAt(0));

/** A PNG chunk with its length and CRC. */
export function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const body = concat(latin1(type), data);
  const chunk = new Uint8Array(12 + data.length);
  const view = new DataView(chunk.buffer);
  view.setUint32(0, data.length);
  chunk.set(body, 4);
  view.setUint32(8 + data.length, crc32(body));
  return chunk;
}

/** The PNG fixture with a tEXt chunk (`key`, `value`) and a tIME chunk right after its IHDR. */
export function pngWithText(key: string, value: string): Uint8Array {
  const png = image("png");
  const afterHeader = 8 + 25;
  const time = pngChunk("tIME", new Uint8Array([7, 234, 12, 2, 3, 4, 5]));
  const text = pngChunk("tEXt", latin1(`${key}\0${value}`));
  return concat(png.subarray(0, afterHeader), text, time, png.subarray(afterHeader));
}

/** The GIF fixture with a comment extension and an XMP application extension before its image. */
export function gifWithComment(comment: string): Uint8Array {
  const gif = image("gif");
  // Header (6), screen descriptor (7), a global colour table of 2 entries (6) and a graphic control.
  const afterTable = 13 + 6;
  const commentBlock = concat(
    new Uint8Array([0x21, 0xfe, comment.length]),
    latin1(comment),
    new Uint8Array([0]),
  );
  const xmp = concat(
    new Uint8Array([0x21, 0xff, 11]),
    latin1("XMP DataXMP"),
    new Uint8Array([comment.length]),
    latin1(comment),
    new Uint8Array([0]),
  );
  return concat(gif.subarray(0, afterTable), commentBlock, xmp, gif.subarray(afterTable));
}

/**
 * The JPEG fixture as a phone stores a photo taken sideways: its EXIF orientation (1, as stored, in
 * the fixture) set to `orientation`, the GPS position and the artist still beside it.
 */
export function jpegWithOrientation(orientation: number): Uint8Array {
  const jpeg = image("jpeg");
  // The fixture's TIFF is little-endian: tag 0x0112, type SHORT, count 1, then the value.
  const entry = Uint8Array.from([0x12, 0x01, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00]);
  outer: for (let at = 0; at + entry.length + 2 <= jpeg.length; at++) {
    for (let i = 0; i < entry.length; i++) if (jpeg[at + i] !== entry[i]) continue outer;
    jpeg[at + entry.length] = orientation;
    return jpeg;
  }
  throw new Error("the JPEG fixture has no orientation entry");
}

/** Whether `text` appears in the bytes (as Latin-1). */
export function contains(bytes: Uint8Array, text: string): boolean {
  const needle = latin1(text);
  outer: for (let at = 0; at + needle.length <= bytes.length; at++) {
    for (let i = 0; i < needle.length; i++) if (bytes[at + i] !== needle[i]) continue outer;
    return true;
  }
  return false;
}
