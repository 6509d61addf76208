import type { MediaType } from "@flock/contracts";
import { AppError } from "@flock/kit";
import { imageDimensionsFromData } from "image-dimensions";

/** An image as it is stored: its type and size as its bytes say, and the bytes without metadata. */
export type CheckedImage = {
  contentType: MediaType;
  width: number;
  height: number;
  bytes: Uint8Array;
};

const TYPES = {
  jpeg: "image/jpeg",
  png: "image/png",
  webp: "image/webp",
  gif: "image/gif",
} as const satisfies Record<string, MediaType>;

/** The bytes without metadata, and the orientation the camera recorded (1, as stored, but for JPEG). */
type Stripped = { bytes: Uint8Array; orientation: number };

const strippers: Record<MediaType, (bytes: Uint8Array) => Stripped> = {
  "image/jpeg": stripJpeg,
  "image/png": (bytes) => ({ bytes: stripPng(bytes), orientation: 1 }),
  "image/webp": (bytes) => ({ bytes: stripWebp(bytes), orientation: 1 }),
  "image/gif": (bytes) => ({ bytes: stripGif(bytes), orientation: 1 }),
};

/** The bytes are not a whole image of the type they start as: truncated, or their structure is broken. */
class Corrupt extends Error {}

function corrupt(): never {
  throw new Corrupt("corrupt image");
}

/**
 * Checks an upload by its bytes and removes its metadata. The type comes from the signature
 * (image-dimensions reads it with the width and height); anything but JPEG, PNG, WebP or GIF, or a
 * type that is not the one declared, is unsupported_media_type (415). An image whose structure does
 * not hold together is a validation failure (422), whatever is wrong with it.
 */
export function checkImage(bytes: Uint8Array, declared: string): CheckedImage {
  const found = dimensionsOf(bytes);
  const contentType = found && found.type in TYPES ? TYPES[found.type as keyof typeof TYPES] : null;
  if (!contentType)
    throw new AppError(
      "unsupported_media_type",
      "Only JPEG, PNG, WebP and GIF images can be uploaded.",
    );
  if (declared.split(";")[0]?.trim().toLowerCase() !== contentType)
    throw new AppError(
      "unsupported_media_type",
      `The bytes are ${contentType}, not the declared ${declared || "(none)"}.`,
    );
  if (!found || found.width < 1 || found.height < 1) throw invalid();
  try {
    const { bytes: stripped, orientation } = strippers[contentType](bytes);
    // Orientations 5 to 8 turn the image a quarter: it shows with width and height swapped.
    const turned = orientation >= 5;
    return {
      contentType,
      width: turned ? found.height : found.width,
      height: turned ? found.width : found.height,
      bytes: stripped,
    };
  } catch (error) {
    if (error instanceof Corrupt || error instanceof RangeError) throw invalid();
    throw error;
  }
}

function dimensionsOf(bytes: Uint8Array) {
  try {
    return imageDimensionsFromData(bytes);
  } catch {
    // The library reads past the end of some truncated headers; such bytes are no image we know.
    return undefined;
  }
}

function invalid(): AppError {
  return new AppError("validation", "The image is truncated or corrupt.", [
    { path: "(body)", message: "is not a whole image" },
  ]);
}

/** Copies the kept ranges of `bytes`, and any new bytes between them, in order, into one array. */
function joined(bytes: Uint8Array, pieces: Array<[number, number] | Uint8Array>): Uint8Array {
  const parts = pieces.map((piece) =>
    piece instanceof Uint8Array ? piece : bytes.subarray(piece[0], piece[1]),
  );
  const out = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function u16be(bytes: Uint8Array, at: number): number {
  if (at + 2 > bytes.length) corrupt();
  return ((bytes[at] ?? 0) << 8) | (bytes[at + 1] ?? 0);
}

function u32be(bytes: Uint8Array, at: number): number {
  if (at + 4 > bytes.length) corrupt();
  return new DataView(bytes.buffer, bytes.byteOffset).getUint32(at, false);
}

function u32le(bytes: Uint8Array, at: number): number {
  if (at + 4 > bytes.length) corrupt();
  return new DataView(bytes.buffer, bytes.byteOffset).getUint32(at, true);
}

function ascii(bytes: Uint8Array, at: number, length: number): string {
  if (at + length > bytes.length) corrupt();
  return String.fromCharCode(...bytes.subarray(at, at + length));
}

const ICC_PROFILE = "ICC_PROFILE\0";

const EXIF_HEADER = "Exif\0\0";
const ORIENTATION_TAG = 0x0112;

/**
 * The orientation the EXIF of an APP1 segment (its body from `start` to `end`) records, 1 to 8: how
 * to turn the stored pixels to show the photo as shot (phones store most photos sideways and say
 * so here). 1, as stored, when it records none or the block cannot be read.
 */
function exifOrientation(bytes: Uint8Array, start: number, end: number): number {
  if (end - start < 14 || ascii(bytes, start, 6) !== EXIF_HEADER) return 1;
  const tiff = start + 6;
  const order = ascii(bytes, tiff, 2);
  if (order !== "II" && order !== "MM") return 1;
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  const little = order === "II";
  const u16 = (at: number) => (at + 2 <= end ? view.getUint16(at, little) : -1);
  const ifd = tiff + view.getUint32(tiff + 4, little);
  const entries = u16(ifd);
  for (let i = 0; i < entries; i++) {
    const entry = ifd + 2 + i * 12;
    if (entry + 12 > end) return 1;
    if (u16(entry) === ORIENTATION_TAG && u16(entry + 2) === 3) {
      const value = u16(entry + 8);
      return value >= 1 && value <= 8 ? value : 1;
    }
  }
  return 1;
}

/** An APP1 segment whose EXIF holds the orientation and nothing else (big-endian, one IFD entry). */
function orientationSegment(orientation: number): Uint8Array {
  return Uint8Array.from([
    ...[0xff, 0xe1, 0x00, 0x22], // APP1, 34 bytes with the length itself
    ...[0x45, 0x78, 0x69, 0x66, 0x00, 0x00], // "Exif\0\0"
    ...[0x4d, 0x4d, 0x00, 0x2a, 0x00, 0x00, 0x00, 0x08], // TIFF, big-endian, IFD0 at 8
    ...[0x00, 0x01], // one entry
    ...[0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, orientation, 0x00, 0x00],
    ...[0x00, 0x00, 0x00, 0x00], // no next IFD
  ]);
}

/**
 * JPEG: keeps SOI, APP0 (JFIF), APP2 holding an ICC profile (colours render as shot; a profile
 * describes a colour space, not a person), APP14 (Adobe: how CMYK and YCCK decode) and every segment
 * decoding needs; drops the other APPn (EXIF and GPS in APP1, XMP, maker notes, Photoshop IPTC in
 * APP13) and comments. Of EXIF only the orientation stays, in an APP1 of its own where the EXIF was,
 * so a photo taken sideways still shows upright. Everything from the first start-of-scan on is kept
 * as it is, and must end in an end-of-image marker.
 */
function stripJpeg(bytes: Uint8Array): Stripped {
  const kept: Array<[number, number] | Uint8Array> = [[0, 2]];
  let orientation = 1;
  let at = 2;
  for (;;) {
    if (bytes[at] !== 0xff) corrupt();
    // Fill bytes: any number of 0xFF may precede a marker.
    while (bytes[at + 1] === 0xff) at++;
    const marker = bytes[at + 1];
    if (marker === undefined) corrupt();
    if (marker === 0xd9) corrupt(); // end of image before any scan
    // Standalone markers (TEM, RSTn) carry no length.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      kept.push([at, at + 2]);
      at += 2;
      continue;
    }
    const length = u16be(bytes, at + 2);
    const end = at + 2 + length;
    if (length < 2 || end > bytes.length) corrupt();
    if (marker === 0xda) {
      if (!endsWithEoi(bytes, end)) corrupt();
      kept.push([at, bytes.length]);
      return { bytes: joined(bytes, kept), orientation };
    }
    if (marker === 0xe1 && orientation === 1) {
      orientation = exifOrientation(bytes, at + 4, end);
      if (orientation !== 1) kept.push(orientationSegment(orientation));
    }
    const isApp = marker >= 0xe0 && marker <= 0xef;
    const keep =
      (!isApp && marker !== 0xfe) ||
      marker === 0xe0 ||
      marker === 0xee ||
      (marker === 0xe2 && length >= 14 && ascii(bytes, at + 4, 12) === ICC_PROFILE);
    if (keep) kept.push([at, end]);
    at = end;
  }
}

/** Whether the scan data from `from` ends with EOI, allowing trailing zero padding some cameras add. */
function endsWithEoi(bytes: Uint8Array, from: number): boolean {
  let end = bytes.length;
  while (end > from && bytes[end - 1] === 0) end--;
  return end - from >= 2 && bytes[end - 2] === 0xff && bytes[end - 1] === 0xd9;
}

const PNG_DROPPED = new Set(["tEXt", "zTXt", "iTXt", "eXIf", "tIME"]);

/**
 * PNG: drops the text chunks (tEXt, zTXt, iTXt: authors, comments, XMP), eXIf and tIME; the chunks
 * must run from IHDR to IEND within the bytes.
 */
function stripPng(bytes: Uint8Array): Uint8Array {
  const kept: Array<[number, number]> = [[0, 8]];
  let at = 8;
  let first = true;
  for (;;) {
    const length = u32be(bytes, at);
    const type = ascii(bytes, at + 4, 4);
    const end = at + 12 + length;
    if (end > bytes.length || (first && type !== "IHDR")) corrupt();
    first = false;
    if (!PNG_DROPPED.has(type)) kept.push([at, end]);
    at = end;
    if (type === "IEND") return joined(bytes, kept);
  }
}

/** VP8X's flags for the EXIF and XMP chunks. */
const VP8X_EXIF = 0x08;
const VP8X_XMP = 0x04;

/**
 * WebP: drops the EXIF and XMP chunks and clears their flags in VP8X; the RIFF size is written anew.
 * The chunks must fill the RIFF container exactly as its header says.
 */
function stripWebp(bytes: Uint8Array): Uint8Array {
  const riffEnd = 8 + u32le(bytes, 4);
  if (ascii(bytes, 8, 4) !== "WEBP" || riffEnd > bytes.length) corrupt();
  const kept: Array<[number, number]> = [[0, 12]];
  let vp8x = -1;
  let at = 12;
  while (at < riffEnd) {
    const type = ascii(bytes, at, 4);
    const size = u32le(bytes, at + 4);
    const end = at + 8 + size + (size % 2);
    if (end > riffEnd) corrupt();
    if (type === "VP8X") vp8x = at;
    if (type !== "EXIF" && type !== "XMP ") kept.push([at, end]);
    at = end;
  }
  if (kept.length === 1) corrupt();
  const out = joined(bytes, kept);
  new DataView(out.buffer).setUint32(4, out.length - 8, true);
  // VP8X is the first chunk when present: its flags are the byte after its header.
  if (vp8x === 12) {
    const flags = 12 + 8;
    out[flags] = (out[flags] ?? 0) & ~(VP8X_EXIF | VP8X_XMP);
  }
  return out;
}

/** The application extensions a GIF needs to play as made: looping. */
const GIF_KEPT_APPLICATIONS = new Set(["NETSCAPE2.0", "ANIMEXTS1.0"]);

/**
 * GIF: drops comment extensions and every application extension but the looping ones (XMP travels
 * in one); keeps images, graphic control and plain text. The blocks must end in the trailer.
 */
function stripGif(bytes: Uint8Array): Uint8Array {
  const flags = bytes[10];
  if (flags === undefined) corrupt();
  let at = 13 + (flags & 0x80 ? 3 << ((flags & 0x07) + 1) : 0);
  const kept: Array<[number, number]> = [[0, at]];
  for (;;) {
    const introducer = bytes[at];
    if (introducer === 0x3b) {
      kept.push([at, at + 1]);
      return joined(bytes, kept);
    }
    const start = at;
    let keep = true;
    if (introducer === 0x21) {
      const label = bytes[at + 1];
      at += 2;
      if (label === 0xfe) keep = false;
      if (label === 0xff)
        keep = bytes[at] === 11 && GIF_KEPT_APPLICATIONS.has(ascii(bytes, at + 1, 11));
    } else if (introducer === 0x2c) {
      const local = bytes[at + 9];
      if (local === undefined) corrupt();
      at += 10 + (local & 0x80 ? 3 << ((local & 0x07) + 1) : 0) + 1; // + LZW minimum code size
    } else corrupt();
    at = afterSubBlocks(bytes, at);
    if (keep) kept.push([start, at]);
  }
}

/** The offset after a run of GIF data sub-blocks (each a size byte and that many bytes; 0 ends it). */
function afterSubBlocks(bytes: Uint8Array, from: number): number {
  let at = from;
  for (;;) {
    const size = bytes[at];
    if (size === undefined) corrupt();
    at += 1 + size;
    if (size === 0) return at;
    if (at > bytes.length) corrupt();
  }
}
